"""Routing's handlers: route each request once, move cases on transfer, pause and resume their clocks."""

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope, Event, InfoProvided, InfoRequested, RequestSubmitted, Resolved, TransferRequested
from routing import domain
from routing.projection import cases
from routing.sla import load_calendar, working_days_for
from services.consumer import Unit
from services.eventstore import Cause

OPEN_LOADS = (
    select(cases.c.department, func.count())
    .where(cases.c.status == "open", cases.c.department.in_(bindparam("departments", expanding=True)))
    .group_by(cases.c.department)
)


async def on_submitted(unit: Unit, run: Sequence[tuple[Envelope, RequestSubmitted]]) -> None:
    contested = sorted({department for _, event in run for department in domain.contested(event)})
    # Open cases are counted only where a choice depends on them, and only for the departments in question.
    loads = dict((await unit.session.execute(OPEN_LOADS, {"departments": contested})).tuples().all()) \
        if contested else {}
    calendar = load_calendar()
    rows = []
    for envelope, event in run:
        routed = domain.route(event, loads=loads, calendar=calendar, working_days=working_days_for(event.sub_service))
        loads[routed.department] = loads.get(routed.department, 0) + 1  # the next decision in the batch sees it
        rows.append(dict(case_id=envelope.case_id, section=event.section, sub_service=event.sub_service,
                         department=routed.department, status="open", routed_at=envelope.occurred_at,
                         rule=routed.rule, flagged=routed.flagged, submitted_at=event.submitted_at,
                         due_at=routed.due_at, calendar_version=routed.calendar_version,
                         correlation_id=envelope.correlation_id))
        await unit.emit([routed], key=envelope.case_id, case_id=envelope.case_id, expected_version=0,
                        cause=Cause.following(envelope))
    await unit.session.execute(insert(cases), rows)


async def _clock(unit: Unit, case_id: str | None) -> domain.CaseClock | None:
    row = (await unit.session.execute(
        select(cases.c.department, cases.c.status, cases.c.due_at, cases.c.calendar_version, cases.c.paused_at,
               cases.c.remaining_seconds).where(cases.c.case_id == case_id)
    )).one_or_none()
    return None if row is None else domain.CaseClock(**row._mapping)


async def on_transfer_requested(unit: Unit, run: Sequence[tuple[Envelope, TransferRequested]]) -> None:
    for envelope, event in run:
        outcome = domain.transfer(event, await _clock(unit, envelope.case_id))
        await unit.emit([outcome], key=envelope.case_id, case_id=envelope.case_id, cause=Cause.following(envelope))
        if outcome.TYPE == "Routed":
            await unit.session.execute(update(cases).where(cases.c.case_id == envelope.case_id).values(
                department=outcome.department, rule=outcome.rule, routed_at=envelope.occurred_at))


async def on_info_requested(unit: Unit, run: Sequence[tuple[Envelope, InfoRequested]]) -> None:
    await _move_clock(unit, run, domain.pause, lambda paused: dict(
        paused_at=paused.paused_at, remaining_seconds=paused.remaining_seconds, due_at=None))


async def on_info_provided(unit: Unit, run: Sequence[tuple[Envelope, InfoProvided]]) -> None:
    await _move_clock(unit, run, domain.resume, lambda resumed: dict(
        paused_at=None, remaining_seconds=None, due_at=resumed.due_at, calendar_version=resumed.calendar_version))


async def _move_clock(unit: Unit, run: Sequence[tuple[Envelope, Event]], decide, changes) -> None:
    """Stop or restart each case's clock at its event's instant; a case whose clock is not in that state is left."""
    calendar = load_calendar()
    for envelope, _ in run:
        moved = decide(await _clock(unit, envelope.case_id), envelope.occurred_at, calendar)
        if moved is None:
            continue
        await unit.emit([moved], key=envelope.case_id, case_id=envelope.case_id, cause=Cause.following(envelope))
        await unit.session.execute(update(cases).where(cases.c.case_id == envelope.case_id).values(**changes(moved)))


async def on_resolved(unit: Unit, run: Sequence[tuple[Envelope, Resolved]]) -> None:
    case_ids = [envelope.case_id for envelope, _ in run]
    await unit.session.execute(update(cases).where(cases.c.case_id.in_(case_ids)).values(status="resolved"))
