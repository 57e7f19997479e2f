"""The routing worker that notices deadlines passing: an open, running case past its due time gets `SlaBreached`
once per due time (a case resumed after a breach, and late again, is reported again)."""

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from routing import domain
from routing.calendar import Calendar
from routing.projection import CASES
from routing.sla import breach_extension_working_days
from services.eventstore import Cause, EventStore, unit_of_work
from services.projection import emit_and_fold
from services.tasks import stopping

log = structlog.get_logger()

OVERDUE = text(
    """
    SELECT case_id FROM cases
    WHERE status = 'open' AND due_at < now() AND breached_due_at IS DISTINCT FROM due_at
    ORDER BY due_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)


class Breaches:
    name = "breaches"

    def __init__(self, sessions: async_sessionmaker[AsyncSession], store: EventStore, calendar: Calendar,
                 every_s: float = 30.0) -> None:
        self.sessions = sessions
        self.store = store
        self.calendar = calendar
        self.every_s = every_s
        self.reported = 0

    async def run(self) -> None:
        while not stopping():
            while await self.sweep() and not stopping():
                pass
            await asyncio.sleep(self.every_s)

    async def health(self) -> dict:
        return {"reported": self.reported}

    async def sweep(self, limit: int = 500) -> int:
        """Report one batch of overdue cases; how many."""
        now = datetime.now(UTC)
        async with unit_of_work(self.sessions, self.store) as unit:
            overdue = [(case_id,) for case_id in (await unit.session.scalars(OVERDUE, {"limit": limit})).all()]
            async with CASES.editing(unit.session, overdue) as rows:
                for key in overdue:
                    row = rows.get(key)
                    breached = domain.breach(row["due_at"], now, self.calendar, breach_extension_working_days())
                    await emit_and_fold(unit, rows, [breached], key=row["case_id"], case_id=row["case_id"],
                                        cause=Cause(correlation_id=row["correlation_id"] or uuid4()))
        self.reported += len(overdue)
        if overdue:
            log.info("sla.breached", cases=len(overdue))
        return len(overdue)
