"""A case's whole history across the four services, for an auditor: every event of the case in every store,
with when (Asia/Riyadh), who produced it, who acted (an officer, a portal, the beneficiary, the system), whether
the beneficiary sees it, what caused it, and the versions of rules, calendar and templates it was decided under;
and what each service's read models said of the case at any moment, folded from the events up to then through
the very projections the services run (`Service.projections`).

No personal data is shown: contact details are never among the fields, and ID numbers are masked but for their
last four digits.
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text

from contracts import Envelope, decode_event
from contracts.vocabulary import RIYADH
from tawasul import system

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{10}(?![0-9])")
VERSIONS = ("rules_version", "calendar_version", "templates_version", "catalog_version")
PUBLIC_TOO = {"NotificationSent": True, "NotificationFailed": False}
"""Besides what the case page calls public: a notification sent is the beneficiary being told."""
SHOWN_AS_OF = ("status", "department", "due_at", "assignee", "outcome", "rejection_reason", "paused_at",
               "answer_due_at", "warned_due_at", "breached_due_at", "escalated_due_at", "resolved_at")
"""What `--as-of` shows of a read model's row for the case."""


def masked(value: Any) -> Any:
    if isinstance(value, str):
        return ID_NUMBER.sub(lambda m: "•" * 6 + m[0][-4:], value)
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Entry:
    envelope: Envelope
    position: int
    actor: str
    public: bool
    caused_by: str | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def versions(self) -> dict[str, str]:
        return {name: self.envelope.data[name] for name in VERSIONS if self.envelope.data.get(name)}

    def as_json(self) -> dict[str, Any]:
        e = self.envelope
        return {"at": e.occurred_at.astimezone(RIYADH).isoformat(), "producer": e.producer, "type": e.type,
                "version": e.version, "actor": self.actor, "public": self.public, "event_id": str(e.event_id),
                "causation_id": str(e.causation_id) if e.causation_id else None, "caused_by": self.caused_by,
                "versions": self.versions, "details": self.details}


def actor_of(envelope: Envelope) -> str:
    data = envelope.data
    for name in ("assigned_by", "released_by", "officer_id"):
        if data.get(name):
            return f"officer:{data[name]}"
    if envelope.type == "RequestSubmitted":
        return f"portal:{data.get('portal')}"
    if envelope.type == "InfoProvided":
        return "beneficiary"
    return f"system:{envelope.producer}"


def entries_of(stored: Sequence[tuple[int, dict]]) -> list[Entry]:
    """The case's events (position, envelope) from every store, in the order they happened: by time, and each
    after the event that caused it."""
    from casework.timeline import SHOWN

    shown = {event.TYPE: (public, fields) for event, (public, fields, _) in SHOWN.items()}
    envelopes = [(position, Envelope.model_validate(document)) for position, document in stored]
    envelopes.sort(key=lambda pair: (pair[1].occurred_at, pair[1].producer, pair[1].sequence))
    by_id = {envelope.event_id: envelope for _, envelope in envelopes}
    entries = []
    for position, envelope in envelopes:
        public, fields = shown.get(envelope.type, (PUBLIC_TOO.get(envelope.type, False), ()))
        cause = by_id.get(envelope.causation_id) if envelope.causation_id else None
        details = {name: masked(envelope.data[name]) for name in fields
                   if envelope.data.get(name) not in (None, [], "") and name not in ("attachments",)}
        if envelope.type.startswith("Notification"):
            details = {name: envelope.data[name] for name in ("notified_event_type", "channel", "attempts", "reason")
                       if envelope.data.get(name)}
        entries.append(Entry(envelope, position, actor_of(envelope), public,
                             f"{cause.type} ({cause.producer})" if cause else None, details))
    return entries


async def read_case(case_id: str, databases) -> list[Entry]:
    """Every event of the case in each service's store (`databases`: name → sessions)."""
    stored: list[tuple[int, dict]] = []
    for sessions in databases.values():
        async with sessions() as session:
            rows = await session.execute(text("SELECT position, envelope FROM event_store WHERE stream = :case "
                                              "ORDER BY sequence"), {"case": case_id})
            stored.extend((position, document) for position, document in rows)
    return entries_of(stored)


def as_of(entries: Sequence[Entry], moment: datetime, case_id: str) -> dict[str, dict[str, Any]]:
    """What each service's read models said of the case at `moment`: its projections folded over the case's
    events up to then, and the notifications sent by then."""
    facts = [(entry.envelope, decode_event(entry.envelope)) for entry in entries if entry.envelope.occurred_at
             <= moment]
    said: dict[str, dict[str, Any]] = {}
    for name in system.NAMES:
        for projection in system.service(name).projections():
            if not projection.types:
                continue  # not a read model of the case log (the registry's links)
            rows = projection.fold(fact for fact in facts if projection.takes(fact))
            row = rows.get((case_id,))
            if row is not None:
                said[f"{name}.{projection.name}"] = {key: row[key] for key in SHOWN_AS_OF if row.get(key) is not None}
    sent = [entry.envelope.data for entry in entries if entry.envelope.type == "NotificationSent"
            and entry.envelope.occurred_at <= moment]
    said["notify.sent"] = {"notifications": len(sent),
                           "of": sorted({f"{data['notified_event_type']}:{data['channel']}" for data in sent})}
    return said


def as_text(entries: Sequence[Entry]) -> str:
    lines = []
    for entry in entries:
        e = entry.envelope
        versions = " ".join(f"{name}={value}" for name, value in entry.versions.items())
        details = "; ".join(f"{name}: {value}" for name, value in entry.details.items())
        seen = "public  " if entry.public else "internal"
        lines.append(f"{e.occurred_at.astimezone(RIYADH):%Y-%m-%d %H:%M:%S} {seen} {e.producer:<8} {e.type:<18} "
                     f"{entry.actor}"
                     + (f"  <- {entry.caused_by}" if entry.caused_by else "")
                     + (f"  [{versions}]" if versions else "") + (f"\n{' ' * 20}{details}" if details else ""))
    return "\n".join(lines)


def as_csv(entries: Sequence[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "producer", "type", "version", "actor", "public", "event_id", "causation_id",
                     "caused_by", "versions", "details"])
    for entry in entries:
        row = entry.as_json()
        cells = [row["at"], row["producer"], row["type"], row["version"], row["actor"], row["public"],
                 row["event_id"], row["causation_id"] or "", row["caused_by"] or "",
                 " ".join(f"{k}={v}" for k, v in row["versions"].items()),
                 "; ".join(f"{k}: {v}" for k, v in row["details"].items())]
        writer.writerow([_inert(cell) for cell in cells])
    return out.getvalue()


def _inert(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value
