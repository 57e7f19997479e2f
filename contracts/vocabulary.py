"""The words every service and every portal share: the Kingdom's time zone and regions, the portals, the
languages and channels a beneficiary chooses, how a person is linked to an account, an identity number's shape.

Defined once here; the services import them and never spell them again.
"""

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

RIYADH = ZoneInfo("Asia/Riyadh")
"""Every time is stored in UTC and shown in Riyadh time (UTC+3 all year; `tzdata` provides it on any host)."""

Portal = Literal["absher", "muqeem"]
"""The upstream portals a request can come through."""
PORTALS: tuple[Portal, ...] = ("absher", "muqeem")

Language = Literal["ar", "en"]
Channel = Literal["email", "sms"]

Role = Literal["officer", "supervisor", "auditor", "admin"]
"""What a person who works cases may do: an officer works their department's cases, a supervisor also assigns
them and sees the department's escalations, an auditor reads every case and acts on none, an admin manages users."""
ROLES: tuple[Role, ...] = ("officer", "supervisor", "auditor", "admin")

Outcome = Literal["completed", "rejected", "closed_no_response"]
"""How a case ends: done as asked, refused (with a `RejectionReason`), or closed because the beneficiary did not
answer an information request in time (by the system, never by an officer)."""
OUTCOMES: tuple[Outcome, ...] = ("completed", "rejected", "closed_no_response")

RejectionReason = Literal[
    "not_eligible", "documents_insufficient", "violations_outstanding", "duplicate_request", "not_our_service",
    "other",
]
"""Why a request was refused, from a fixed list (the beneficiary is told it in their language): the conditions
are not met, the documents do not prove what they must, fines or violations must be settled first, the same
request is already being handled, another authority handles it, or another reason the public reply explains."""
REJECTION_REASONS: tuple[RejectionReason, ...] = (
    "not_eligible", "documents_insufficient", "violations_outstanding", "duplicate_request", "not_our_service",
    "other",
)

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
CASE_ID_PATTERN = r"^[A-Za-z0-9]{1,32}$"
"""What may stand where a tracking number is expected in a path: whether it is one (its check digit) is asked
after."""

NATIONALITY_PATTERN = r"^[A-Z]{2}$"
"""ISO 3166-1 alpha-2."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def is_line(value: str) -> bool:
    """Whether `value` is one line with no control character in it."""
    return not _CONTROL.search(value)


CONTROL_CHARACTERS = "control_characters"
"""The error type a `Line` or `Text` with a control character fails with."""


def _line(value: str) -> str:
    if not is_line(value):
        raise PydanticCustomError(CONTROL_CHARACTERS, "control characters (such as NUL or a line break) are not "
                                  "allowed here")
    return value


def _text(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value):
        raise PydanticCustomError(CONTROL_CHARACTERS, "control characters (such as NUL) are not allowed; line "
                                  "breaks and tabs are")
    return value


Line = Annotated[str, AfterValidator(_line)]
"""A string of one line: no control character at all (NUL included, which PostgreSQL cannot store)."""
Text = Annotated[str, AfterValidator(_text)]
"""Free text: line breaks and tabs allowed, no other control character."""
