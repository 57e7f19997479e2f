"""Service levels: working days allowed per sub-service, and the current business calendar, from routing/calendars.

`sla.json` is `{"version", "working_hours": {"opens", "closes"}, "default_working_days", "overrides":
{SUB_SERVICE_CODE: working_days}}`; overrides are
keyed by the sub-service code alone (as in `PortalSubmission.sub_service`), and any other code gets the default.
The calendar is built from every `holidays-YYYY.json` file, with the derived holidays of every other year
(see `routing.calendar.calendar_from` and `routing.holidays`).
"""

import json
from dataclasses import replace
from datetime import time
from functools import cache
from importlib.resources import files
from typing import Any

from routing import holidays
from routing.calendar import Calendar, calendar_from

DATA = "routing.calendars"


def read(name: str) -> Any:
    return json.loads((files(DATA) / name).read_text(encoding="utf-8"))


@cache
def load_calendar() -> Calendar:
    """The calendar of all packaged holiday files and sla.json's working hours, read once.

    Hours other than 08:00–15:00 become part of the calendar's version, so a deadline always names
    the hours it was computed with."""
    names = sorted(entry.name for entry in files(DATA).iterdir() if entry.name.startswith("holidays-"))
    calendar = calendar_from((read(name) for name in names if name.endswith(".json")),
                             derived=(holidays.VERSION, holidays.saudi))
    hours = sla_table().get("working_hours", {})
    opens, closes = time.fromisoformat(hours.get("opens", "08:00")), time.fromisoformat(hours.get("closes", "15:00"))
    if (opens, closes) == (calendar.opens, calendar.closes):
        return calendar
    version = f"{calendar.version}@{opens:%H:%M}-{closes:%H:%M}"
    return replace(calendar, opens=opens, closes=closes, version=version)


@cache
def sla_table() -> dict[str, Any]:
    """The validated contents of sla.json, read once."""
    table = read("sla.json")
    days = [table["default_working_days"], *table["overrides"].values()]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in days):
        raise ValueError(f"sla.json {table['version']}: working days must be integers >= 1")
    return table


def sla_version() -> str:
    return str(sla_table()["version"])


def working_days_for(sub_service: str | None) -> int:
    """Working days allowed for `sub_service`: its override, else the default (also for None)."""
    table = sla_table()
    overrides = table["overrides"]
    return int(overrides[sub_service]) if sub_service in overrides else int(table["default_working_days"])


def breach_extension_working_days() -> int:
    """Working days promised anew when a case passes its due time (`breach_extension_working_days`, default 2)."""
    return int(sla_table().get("breach_extension_working_days", 2))
