"""Intake's read model of the case log for status lookups: who owns each request, and its public history."""

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope, Event, RequestSubmitted
from intake.projection import request_history, requests
from intake.status import RequestStatus, Step, fold, public_part
from services.consumer import Unit


async def record_history(unit: Unit, run: Sequence[tuple[Envelope, Event]]) -> None:
    """The public part of each case event; a RequestSubmitted also names the request's owner."""
    owners = [
        dict(tracking_number=envelope.case_id, account_id=event.account_id, section=event.section,
             sub_service=event.sub_service, submitted_at=event.submitted_at,
             attachments=[ref.model_dump() for ref in event.attachments], correlation_id=envelope.correlation_id)
        for envelope, event in run if isinstance(event, RequestSubmitted)
    ]
    if owners:
        await unit.session.execute(insert(requests).on_conflict_do_nothing(), owners)
    await unit.session.execute(insert(request_history).on_conflict_do_nothing(), [
        dict(event_id=envelope.event_id, tracking_number=envelope.case_id, type=envelope.type,
             occurred_at=envelope.occurred_at, data=public_part(event))
        for envelope, event in run
    ])


async def status_of(session: AsyncSession, request: Row) -> RequestStatus:
    """The status of the request in `request` (a `requests` row), from its history in the order it happened."""
    history = (await session.execute(
        select(request_history.c.type, request_history.c.occurred_at, request_history.c.data)
        .where(request_history.c.tracking_number == request.tracking_number)
        .order_by(request_history.c.occurred_at, request_history.c.event_id)
    )).all()
    steps = [Step(type=type_, at=at, details=data) for type_, at, data in history]
    return fold(request.tracking_number, request.section, request.sub_service, request.submitted_at, steps)
