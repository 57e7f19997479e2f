"""Casework's read model: the officers' queue, one row per case, and the fold that builds it from the case log.

Casework folds its own events (an officer's resolution, question or transfer) as it emits them, and the others
as it reads them; where the two interleave, the steps give the same row in either order (a resolved case
stays resolved; a routing moves only the department and due time).
"""

from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid

from casework.domain import STATUS_AFTER
from contracts import (
    Envelope,
    InfoProvided,
    InfoRequested,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaResumed,
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
)


def _case(row: Row | None, envelope: Envelope) -> Row:
    return row or dict(case_id=envelope.case_id, status="submitted", version=0)


def known(row: Row | None) -> bool:
    """Whether the row is a case: only `RequestSubmitted` makes one. A routing that came first waits in its row,
    seen by no officer, until the submission arrives (or forever, if it was never a case's)."""
    return row is not None and row.get("submitted_at") is not None


def _submitted(row: Row | None, envelope: Envelope, event: RequestSubmitted) -> Row:
    case = _case(row, envelope)
    routed_before = case["status"] == "submitted" and case.get("department") is not None
    return {**case, "section": event.section, "sub_service": event.sub_service, "language": event.language,
            "submitted_at": event.submitted_at, "correlation_id": envelope.correlation_id,
            "status": "open" if routed_before else case["status"]}


def _routed(row: Row | None, envelope: Envelope, event: Routed) -> Row:
    case = _case(row, envelope)
    opens = case["status"] == "submitted" and known(case)  # a transfer keeps the status; an unknown case waits
    return {**case, "department": event.department, "routed_at": envelope.occurred_at, "due_at": event.due_at,
            "correlation_id": case.get("correlation_id") or envelope.correlation_id,
            "status": "open" if opens else case["status"]}


def _answered(row: Row | None, envelope: Envelope, event: InfoProvided) -> Row | None:
    return {**row, "status": "open"} if row is not None and row["status"] == "awaiting_information" else row


def _resumed(row: Row | None, envelope: Envelope, event: SlaResumed) -> Row | None:
    return row and {**row, "due_at": event.due_at}


def _acted(row: Row | None, envelope: Envelope, event: Any) -> Row | None:
    """An officer's own event: the case's casework stream is at its sequence now."""
    if row is None or envelope.producer != CASEWORK:
        return row
    status = row["status"] if row["status"] == "resolved" else STATUS_AFTER.get(envelope.type, row["status"])
    acted = {**row, "status": status, "version": max(row["version"], envelope.sequence)}
    if isinstance(event, Resolved):
        acted |= {"status": "resolved", "outcome": event.outcome, "resolved_at": envelope.occurred_at}
    return acted


QUEUE = of_the_case_log(queue, {
    RequestSubmitted: _submitted, Routed: _routed, InfoProvided: _answered, SlaResumed: _resumed,
    InfoRequested: _acted, TransferRequested: _acted, Resolved: _acted,
})
