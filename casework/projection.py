"""Casework's read model: the officers' queue, one row per case, and the fold that builds it from the case log.

Casework folds its own events (an officer's action, an escalation, a close for want of an answer) as it emits
them, and the others as it reads them; where the two interleave, the steps give the same row in either order (a
resolved case stays resolved; a routing moves only the department and due time).
"""

from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid

from casework.domain import STATUS_AFTER
from contracts import (
    CaseAssigned,
    CaseClaimed,
    CaseReleased,
    Envelope,
    Escalated,
    IdentityRevealed,
    InfoProvided,
    InfoRequested,
    NoteAdded,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    SlaWarning,
    TransferRequested,
)
from contracts.events import CASEWORK
from services.projection import Row, of_the_case_log

metadata = MetaData()

queue = Table(
    "queue",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("section", Text),
    Column("sub_service", Text),
    Column("language", Text),
    Column("department", Text),
    Column("status", Text, nullable=False),  # submitted | open | awaiting_information | resolved
    Column("outcome", Text),
    Column("submitted_at", DateTime(timezone=True)),
    Column("routed_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Column("correlation_id", Uuid),
    Column("version", Integer, nullable=False, server_default="0"),  # casework's own events on the case
    Column("assignee", Text),
    Column("rejection_reason", Text),
    Column("resolved_by", Text),  # None when the clock closed it
    Column("paused_at", DateTime(timezone=True)),
    Column("answer_due_at", DateTime(timezone=True)),
    Column("warn_at", DateTime(timezone=True)),
    Column("warned_due_at", DateTime(timezone=True)),
    Column("breached_due_at", DateTime(timezone=True)),
    Column("escalated_due_at", DateTime(timezone=True)),
    Column("notes", Integer, nullable=False, server_default="0"),
    Column("subject_id", Text),  # what an officer searches by
    Column("sla_seconds", Integer),  # the working time the case is allowed: its countdown's whole
)


def _case(row: Row | None, envelope: Envelope) -> Row:
    return row or dict(case_id=envelope.case_id, status="submitted", version=0, notes=0)


def known(row: Row | None) -> bool:
    """Whether the row is a case: only `RequestSubmitted` makes one. A routing that came first waits in its row,
    seen by no officer, until the submission arrives (or forever, if it was never a case's)."""
    return row is not None and row.get("submitted_at") is not None


def _submitted(row: Row | None, envelope: Envelope, event: RequestSubmitted) -> Row:
    case = _case(row, envelope)
    routed_before = case["status"] == "submitted" and case.get("department") is not None
    return {**case, "section": event.section, "sub_service": event.sub_service, "language": event.language,
            "subject_id": event.subject_id,
            "submitted_at": event.submitted_at, "correlation_id": envelope.correlation_id,
            "status": "open" if routed_before else case["status"]}


def _routed(row: Row | None, envelope: Envelope, event: Routed) -> Row:
    case = _case(row, envelope)
    opens = case["status"] == "submitted" and known(case)  # a transfer keeps the status; an unknown case waits
    moved = case.get("department") not in (None, event.department)
    return {**case, "department": event.department, "routed_at": envelope.occurred_at, "due_at": event.due_at,
            "warn_at": event.warn_at if event.transferred_from is None else case.get("warn_at", event.warn_at),
            "sla_seconds": event.sla_seconds if event.transferred_from is None else case.get("sla_seconds"),
            "correlation_id": case.get("correlation_id") or envelope.correlation_id,
            "assignee": None if moved else case.get("assignee"),  # a new department's officers take it up
            "status": "open" if opens else case["status"]}


def _answered(row: Row | None, envelope: Envelope, event: InfoProvided) -> Row | None:
    return {**row, "status": "open"} if row is not None and row["status"] == "awaiting_information" else row


def _paused(row: Row | None, envelope: Envelope, event: SlaPaused) -> Row | None:
    return row and {**row, "paused_at": event.paused_at, "answer_due_at": event.answer_due_at}


def _resumed(row: Row | None, envelope: Envelope, event: SlaResumed) -> Row | None:
    return row and {**row, "due_at": event.due_at, "warn_at": event.warn_at, "paused_at": None,
                    "answer_due_at": None}


def _warned(row: Row | None, envelope: Envelope, event: SlaWarning) -> Row | None:
    return row and {**row, "warned_due_at": event.due_at}


def _breached(row: Row | None, envelope: Envelope, event: SlaBreached) -> Row | None:
    return row and {**row, "breached_due_at": event.due_at}


CHANGES = {
    CaseClaimed: lambda row, event: {"assignee": event.officer_id},
    CaseAssigned: lambda row, event: {"assignee": event.officer_id},
    CaseReleased: lambda row, event: {"assignee": None},
    NoteAdded: lambda row, event: {"notes": row["notes"] + 1},
    Escalated: lambda row, event: {"escalated_due_at": event.due_at},
    IdentityRevealed: lambda row, event: {},
}
"""What each of casework's own events changes in the row, besides its status and version."""


def _acted(row: Row | None, envelope: Envelope, event: Any) -> Row | None:
    """Casework's own event: the case's casework stream is at its sequence now."""
    if row is None or envelope.producer != CASEWORK or envelope.sequence <= row["version"]:
        return row  # folded already (as it was emitted): a second time changes nothing
    status = row["status"] if row["status"] == "resolved" else STATUS_AFTER.get(envelope.type, row["status"])
    acted = {**row, "status": status, "version": envelope.sequence}
    if isinstance(event, Resolved):
        acted |= {"status": "resolved", "outcome": event.outcome, "rejection_reason": event.rejection_reason,
                  "resolved_by": event.officer_id, "resolved_at": envelope.occurred_at}
    elif type(event) in CHANGES:
        acted |= CHANGES[type(event)](row, event)
    return acted


QUEUE = of_the_case_log(queue, {
    RequestSubmitted: _submitted, Routed: _routed, InfoProvided: _answered, SlaPaused: _paused,
    SlaResumed: _resumed, SlaWarning: _warned, SlaBreached: _breached,
    **dict.fromkeys((InfoRequested, TransferRequested, Resolved, *CHANGES), _acted),
})
