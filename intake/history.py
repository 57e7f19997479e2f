"""A request's status as its beneficiary may read it: its public history (`request_history`), folded."""

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.projection import request_history
from intake.status import RequestStatus, Step, fold


async def status_of(session: AsyncSession, request: Row) -> RequestStatus:
    """The status of the request in `request` (a `requests` row), from its history in the order it happened."""
    history = (await session.execute(
        select(request_history.c.type, request_history.c.occurred_at, request_history.c.data)
        .where(request_history.c.tracking_number == request.tracking_number)
        .order_by(request_history.c.occurred_at, request_history.c.event_id)
    )).all()
    steps = [Step(type=type_, at=at, details=data) for type_, at, data in history]
    return fold(request.tracking_number, request.section, request.sub_service, request.submitted_at, steps)
