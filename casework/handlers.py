"""Casework's queue from the case log, and the officers' commands on a case."""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.dialects.postgresql import insert

from casework import domain
from casework.projection import queue
from contracts import Envelope, Event, InfoProvided, RequestSubmitted, Routed, SlaResumed
from services.consumer import Unit
from services.eventstore import Cause


def _upsert(columns: tuple[str, ...], **values):
    """INSERT … ON CONFLICT (case_id) DO UPDATE of `columns` (and fixed `values`): one statement, compiled once."""
    statement = insert(queue)
    return statement.on_conflict_do_update(
        index_elements=[queue.c.case_id], set_={**{name: statement.excluded[name] for name in columns}, **values}
    )


SUBMITTED = _upsert(("section", "sub_service", "language", "submitted_at", "correlation_id"))
ROUTED = _upsert(
    ("department", "routed_at", "due_at", "correlation_id"),
    status=case((queue.c.status == "submitted", "open"), else_=queue.c.status),  # a transfer keeps the status
)


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
             due_at=event.due_at, correlation_id=envelope.correlation_id)
        for case_id, (envelope, event) in latest.items()
    ])


async def on_info_provided(unit: Unit, run: Sequence[tuple[Envelope, InfoProvided]]) -> None:
    await unit.session.execute(
        update(queue).where(queue.c.case_id.in_([e.case_id for e, _ in run]),
                            queue.c.status == "awaiting_information").values(status="open")
    )


DUE = update(queue).where(queue.c.case_id == bindparam("case")).values(due_at=bindparam("due"))


async def on_sla_resumed(unit: Unit, run: Sequence[tuple[Envelope, SlaResumed]]) -> None:
    await unit.session.execute(DUE, [dict(case=envelope.case_id, due=event.due_at) for envelope, event in run])


async def act(unit: Unit, case_id: str, command: domain.Command) -> Event:
    """An officer's command on the locked row: decide, append the event, update the queue, in one transaction."""
    row = (await unit.session.execute(select(queue).where(queue.c.case_id == case_id).with_for_update())).one_or_none()
    if row is None:
        raise LookupError(case_id)
    event = domain.decide(command, domain.Case(status=row.status, department=row.department))
    await unit.emit([event], key=case_id, case_id=case_id, cause=Cause(correlation_id=row.correlation_id),
                    expected_version=row.version)
    changes: dict = {"version": row.version + 1, "status": domain.STATUS_AFTER.get(event.TYPE, row.status)}
    if event.TYPE == "Resolved":
        changes |= {"outcome": event.outcome, "resolved_at": datetime.now(UTC)}
    await unit.session.execute(update(queue).where(queue.c.case_id == case_id).values(**changes))
    return event
