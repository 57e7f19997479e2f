"""Casework's queue from the case log, and the officer's resolve command."""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from casework import domain
from casework.projection import queue
from contracts import Envelope, RequestSubmitted, Resolved, Routed
from services.consumer import Unit
from services.eventstore import Cause


def _upsert(columns: tuple[str, ...], *, status: str | None = None, unless_resolved: bool = False):
    """INSERT … ON CONFLICT (case_id) DO UPDATE of `columns` (and `status`): one statement, compiled once."""
    statement = insert(queue)
    updates = {name: statement.excluded[name] for name in columns}
    if status is not None:
        updates["status"] = status
    where = (queue.c.status != "resolved") if unless_resolved else None
    return statement.on_conflict_do_update(index_elements=[queue.c.case_id], set_=updates, where=where)


SUBMITTED = _upsert(("section", "sub_service", "language", "submitted_at", "correlation_id"))
ROUTED = _upsert(("department", "routed_at", "correlation_id"), status="open", unless_resolved=True)


async def on_submitted(unit: Unit, run: Sequence[tuple[Envelope, RequestSubmitted]]) -> None:
    await unit.session.execute(SUBMITTED, [
        dict(case_id=envelope.case_id, status="submitted", section=event.section, sub_service=event.sub_service,
             language=event.language, submitted_at=event.submitted_at, correlation_id=envelope.correlation_id)
        for envelope, event in run
    ])


async def on_routed(unit: Unit, run: Sequence[tuple[Envelope, Routed]]) -> None:
    latest = {envelope.case_id: (envelope, event) for envelope, event in run}  # a re-route: the last one holds
    await unit.session.execute(ROUTED, [
        dict(case_id=case_id, status="open", department=event.department, routed_at=envelope.occurred_at,
             correlation_id=envelope.correlation_id)
        for case_id, (envelope, event) in latest.items()
    ])


async def resolve(unit: Unit, command: domain.ResolveCase) -> Resolved:
    """Resolve a case: decide on the locked row, append `Resolved`, update the queue, in one transaction."""
    row = (
        await unit.session.execute(select(queue).where(queue.c.case_id == command.case_id).with_for_update())
    ).one_or_none()
    if row is None:
        raise LookupError(command.case_id)
    resolved = domain.resolve(command, status=row.status, department=row.department)
    cause = Cause(correlation_id=row.correlation_id)
    await unit.emit([resolved], key=command.case_id, case_id=command.case_id, cause=cause,
                    expected_version=row.version)
    await unit.session.execute(
        update(queue).where(queue.c.case_id == command.case_id)
        .values(status="resolved", outcome=resolved.outcome, resolved_at=datetime.now(UTC), version=row.version + 1)
    )
    return resolved

