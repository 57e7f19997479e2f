"""What casework is given rather than owns: the departments (routing's, by code, named in Arabic and English),
the business calendar its SLA countdowns are read with, and the canned replies officers insert.

The composition root (`tawasul.system`) hands casework routing's directory and calendar, so casework never
imports routing; a casework built without them (a test of one page) names departments by code and shows the due
time without the working days left.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from importlib.resources import files
from typing import Literal, Protocol

from contracts.vocabulary import Language

Use = Literal["reply", "question"]
Colour = Literal["green", "amber", "red", "grey"]


class WorkingTime(Protocol):
    """The part of a business calendar a countdown needs (routing's `Calendar` is one)."""

    opens: time
    closes: time

    def working_time_between(self, start: datetime, end: datetime) -> timedelta: ...


@dataclass(frozen=True)
class CannedReply:
    id: str
    departments: tuple[str, ...]
    """Where it is offered: department codes, or `*` for every department."""
    uses: tuple[Use, ...]
    """Into what it may be inserted: a public reply that resolves the case, or an information request."""
    titles: Mapping[str, str]
    texts: Mapping[str, str]
    """Its text in each language: the beneficiary's is the one inserted."""

    def offered_to(self, department: str | None, use: Use) -> bool:
        return use in self.uses and ("*" in self.departments or department in self.departments)


@dataclass(frozen=True)
class Countdown:
    """A case's SLA as officers read it: working time left, and the share of its working time used."""

    days: int
    hours: int
    share: float | None
    """None when the case's allowance is not known (routed before it was recorded)."""
    colour: "Colour"


@dataclass(frozen=True)
class Reference:
    departments: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Department code → its name by language."""
    sections: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    sub_services: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)
    """(section code, sub-service code) → its name by language."""
    attachment_kinds: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    calendar: WorkingTime | None = None
    replies: tuple[CannedReply, ...] = field(default_factory=lambda: canned_replies())

    def department_name(self, code: str | None, language: Language) -> str:
        return _named(self.departments.get(code or ""), code, language)

    def section_name(self, code: str | None, language: Language) -> str:
        return _named(self.sections.get(code or ""), code, language)

    def sub_service_name(self, section: str | None, code: str | None, language: Language) -> str:
        return _named(self.sub_services.get((section or "", code or "")), code, language)

    def attachment_kind_name(self, code: str | None, language: Language) -> str:
        return _named(self.attachment_kinds.get(code or ""), code, language)

    def replies_for(self, department: str | None, use: Use) -> list[CannedReply]:
        return [reply for reply in self.replies if reply.offered_to(department, use)]

    def countdown(self, *, due_at: datetime | None, sla_seconds: int | None, paused_at: datetime | None,
                  now: datetime, breached: bool = False) -> Countdown | None:
        """Working time left until `due_at` (frozen at `paused_at` while paused) and the share of the case's
        working time used; a case that breached a due time stays red under the one it was given after. None
        without a due time or a calendar."""
        if due_at is None or self.calendar is None:
            return None
        left = self.calendar.working_time_between(paused_at or now, due_at)
        day = datetime.combine(now.date(), self.calendar.closes) - datetime.combine(now.date(), self.calendar.opens)
        days, rest = divmod(left, day)
        share = min(max(1 - left / timedelta(seconds=sla_seconds), 0.0), 1.0) if sla_seconds else None
        return Countdown(days=int(days), hours=int(rest.total_seconds() // 3600), share=share,
                         colour=colour(share, paused=paused_at is not None, due=breached or now >= due_at))


def _named(names: Mapping[str, str] | None, code: str | None, language: Language) -> str:
    """A thing's name in `language`, or its code when it has no name here."""
    return names[language] if names else (code or "—")


def colour(share: float | None, *, paused: bool, due: bool) -> Colour:
    """The SLA at a glance: grey while paused, red past due or past 80% of the working time, amber past 50%."""
    if paused:
        return "grey"
    if due or (share is not None and share > 0.8):
        return "red"
    return "amber" if share is not None and share > 0.5 else "green"


@cache
def canned_replies() -> tuple[CannedReply, ...]:
    """The packaged canned replies (`casework/replies.json`), read once."""
    document = json.loads((files("casework") / "replies.json").read_text(encoding="utf-8"))
    return tuple(CannedReply(id=reply["id"], departments=tuple(reply["departments"]), uses=tuple(reply["uses"]),
                             titles=reply["titles"], texts=reply["texts"]) for reply in document["replies"])
