"""The words every service and every portal share: the Kingdom's time zone and regions, the portals, the
languages and channels a beneficiary chooses, how a person is linked to an account, an identity number's shape.

Defined once here; the services import them and never spell them again.
"""

from typing import Literal
from zoneinfo import ZoneInfo

RIYADH = ZoneInfo("Asia/Riyadh")
"""Every time is stored in UTC and shown in Riyadh time (UTC+3 all year; `tzdata` provides it on any host)."""

Portal = Literal["absher", "muqeem"]
"""The upstream portals a request can come through."""
PORTALS: tuple[Portal, ...] = ("absher", "muqeem")

Language = Literal["ar", "en"]
Channel = Literal["email", "sms"]

Outcome = Literal["completed", "declined"]
"""How an officer closes a case."""

Region = Literal[
    "riyadh", "makkah", "madinah", "eastern", "qassim", "asir", "tabuk", "hail", "northern-borders", "jazan", "najran",
    "al-baha", "al-jawf",
]
"""The thirteen administrative regions of the Kingdom."""

Relation = Literal["dependent", "sponsored", "visitor"]
"""How the population registry links a person to an account holder."""

Subject = Literal["holder", "dependent", "sponsored", "visitor"]
"""Whom a request concerns: the account holder themselves, or a person linked to them (a `Relation`)."""

IDENTITY_PATTERN = r"^[0-9]{10}$"
"""A national ID, Iqama or border number as a portal sends it: ten ASCII digits."""

NATIONALITY_PATTERN = r"^[A-Z]{2}$"
"""ISO 3166-1 alpha-2."""
