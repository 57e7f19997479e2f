"""Casework's queue from the case log, and the officer's resolve command."""

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope, RequestSubmitted, Resolved, Routed
from casework import domain
from casework.projection import queue
from services.consumer import Unit
from services.eventstore import Cause


async def on_submitted(unit: Unit, envelope: Envelope, event: RequestSubmitted) -> None:
    values = dict(section=event.section, sub_service=event.sub_service, language=event.language,
                  submitted_at=event.submitted_at, correlation_id=envelope.correlation_id)
    await unit.session.execute(
        insert(queue).values(case_id=envelope.case_id, status="submitted", **values)
        .on_conflict_do_update(index_elements=[queue.c.case_id], set_=values)
    )


async def on_routed(unit: Unit, envelope: Envelope, event: Routed) -> None:
    values = dict(department=event.department, routed_at=envelope.occurred_at, correlation_id=envelope.correlation_id)
    await unit.session.execute(
        insert(queue).values(case_id=envelope.case_id, status="open", **values)
        .on_conflict_do_update(
            index_elements=[queue.c.case_id],
            set_={**values, "status": "open"},
            where=queue.c.status != "resolved",
        )
    )


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

