"""A case's whole history as an auditor reads it, from the envelopes of its events — every service's: each with
when (Asia/Riyadh), who produced it, who acted (an officer, a portal, the beneficiary, the system), whether the
beneficiary sees it, what caused it, and the versions of rules, calendar and templates it was decided under; and
what each service's read models said of the case at any moment, folded from the events up to then through the
projections they are given (the very ones the services run).

Pure: the auditor's page (`casework.history_page`, from casework's own copy of the case log) and `tawasul audit
history` (from the four stores) both build on it, so the two cannot tell a case's story differently.

No personal data is shown: contact details are never among the fields, and ID numbers are masked but for their
last four digits.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from casework.timeline import SHOWN
from contracts import Envelope, decode_event
from contracts.vocabulary import RIYADH
from services.projection import Projection

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{10}(?![0-9])")
VERSIONS = ("rules_version", "calendar_version", "templates_version", "catalog_version")
PUBLIC_TOO = {"NotificationSent": True, "NotificationFailed": False}
"""Besides what the case page calls public: a notification sent is the beneficiary being told."""
NOTIFIED = ("notified_event_type", "channel", "attempts", "reason")
"""What a notification's entry shows (never the address it went to: no event holds one)."""
SHOWN_AS_OF = ("status", "department", "due_at", "assignee", "outcome", "rejection_reason", "paused_at",
               "answer_due_at", "warned_due_at", "breached_due_at", "escalated_due_at", "resolved_at")
"""What as-of shows of a read model's row for the case."""
_FIELDS = {event.TYPE: (public, fields) for event, (public, fields, _) in SHOWN.items()}
DETAILS = tuple(dict.fromkeys([*(name for _, fields in _FIELDS.values() for name in fields if name != "attachments"),
                               *NOTIFIED]))
"""Every detail an entry may show, by name (what the auditor's page labels)."""


def masked(value: Any) -> Any:
    """`value` with every ten-digit number in it (an ID number) masked but for its last four digits."""
    if isinstance(value, str):
        return ID_NUMBER.sub(lambda m: "•" * 6 + m[0][-4:], value)
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    return value


def moment(value: str) -> datetime:
    """An ISO 8601 time, in Asia/Riyadh unless it says otherwise (`ValueError` when it is none)."""
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=RIYADH)


@dataclass(frozen=True)
class Entry:
    envelope: Envelope
    actor: str
    public: bool
    cause: tuple[str, str] | None
    """The causing event's type and producer, when the case has it."""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def caused_by(self) -> str | None:
        return f"{self.cause[0]} ({self.cause[1]})" if self.cause else None

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


def entries_of(envelopes: Iterable[Envelope]) -> list[Entry]:
    """The case's events, from every service, in the order they happened (by time; at the same instant by
    producer, then by the producer's sequence)."""
    ordered = sorted(envelopes, key=lambda envelope: (envelope.occurred_at, envelope.producer, envelope.sequence))
    by_id = {envelope.event_id: envelope for envelope in ordered}
    entries = []
    for envelope in ordered:
        public, fields = _FIELDS.get(envelope.type, (PUBLIC_TOO.get(envelope.type, False), ()))
        cause = by_id.get(envelope.causation_id) if envelope.causation_id else None
        details = {name: masked(envelope.data[name]) for name in fields
                   if envelope.data.get(name) not in (None, [], "") and name not in ("attachments",)}
        if envelope.type.startswith("Notification"):
            details = {name: envelope.data[name] for name in NOTIFIED if envelope.data.get(name)}
        entries.append(Entry(envelope, actor_of(envelope), public, (cause.type, cause.producer) if cause else None,
                             details))
    return entries


def up_to(entries: Sequence[Entry], instant: datetime | None) -> list[Entry]:
    """The entries that had happened by `instant` (all of them without one)."""
    return [entry for entry in entries if instant is None or entry.envelope.occurred_at <= instant]


def as_of(entries: Sequence[Entry], instant: datetime, case_id: str,
          projections: Mapping[str, Iterable[Projection]]) -> dict[str, dict[str, Any]]:
    """What each service's read models (`projections`, by service) said of the case at `instant`: each folded over
    the case's events up to then, and the notifications sent by then."""
    facts = [(entry.envelope, decode_event(entry.envelope)) for entry in up_to(entries, instant)]
    said: dict[str, dict[str, Any]] = {}
    for name, theirs in projections.items():
        for projection in theirs:
            if not projection.types:
                continue  # not a read model of the case log (the registry's links)
            rows = projection.fold(fact for fact in facts if projection.takes(fact))
            row = rows.get((case_id,))
            if row is not None:
                said[f"{name}.{projection.name}"] = {key: row[key] for key in SHOWN_AS_OF if row.get(key) is not None}
    sent = [entry.envelope.data for entry in up_to(entries, instant) if entry.envelope.type == "NotificationSent"]
    said["notify.sent"] = {"notifications": len(sent),
                           "of": sorted({f"{data['notified_event_type']}:{data['channel']}" for data in sent})}
    return said


def as_document(case_id: str, entries: Sequence[Entry], instant: datetime | None,
                said: Mapping[str, Any] | None) -> dict[str, Any]:
    """The history as JSON: the events up to `instant` (all without one) and what the read models said then."""
    return {"case": case_id, "as_of": instant.isoformat() if instant else None,
            "events": [entry.as_json() for entry in up_to(entries, instant)], "read_models": said}


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
        writer.writerow([inert(cell) for cell in cells])
    return out.getvalue()


def inert(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (OWASP's list of a formula's first characters)."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
