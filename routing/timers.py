"""The routing worker that notices deadlines passing, each reported once however many routing processes run
(rows are claimed with `FOR UPDATE SKIP LOCKED` and marked in the same transaction as the event):

- an open, running case past its warning time gets `SlaWarning`, once per due time;
- past its due time, `SlaBreached`, once per due time (a case resumed after a breach, and late again, is reported
  again);
- paused for an answer past its answer deadline, `AnswerOverdue`, once per deadline (casework closes it).

A rebuild folds these events from the log and decides nothing: only this worker emits them, and it runs only
in a live service.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

import structlog
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Event
from routing import domain
from routing.calendar import Calendar
from routing.projection import CASES
from routing.sla import breach_extension_working_days
from services.eventstore import Cause, EventStore, unit_of_work
from services.projection import Row, emit_and_fold
from services.tasks import stopping

log = structlog.get_logger()


def _due(condition: str, order: str) -> TextClause:
    return text(f"SELECT case_id FROM cases WHERE status = 'open' AND {condition} ORDER BY {order} LIMIT :limit "
                "FOR UPDATE SKIP LOCKED")


@dataclass(frozen=True)
class Deadline:
    name: str
    query: TextClause
    event: Callable[[Row, datetime], Event]


class Timers:
    name = "timers"

    def __init__(self, sessions: async_sessionmaker[AsyncSession], store: EventStore, calendar: Calendar,
                 every_s: float = 30.0, deadlines: domain.Deadlines = domain.DEADLINES) -> None:
        self.sessions = sessions
        self.store = store
        self.every_s = every_s
        self.deadlines = (
            Deadline("warned", _due("paused_at IS NULL AND warn_at < now() AND due_at > now() "
                                    "AND warned_due_at IS DISTINCT FROM due_at", "warn_at"),
                     lambda row, now: domain.warn(row["due_at"], deadlines)),
            Deadline("breached", _due("due_at < now() AND breached_due_at IS DISTINCT FROM due_at", "due_at"),
                     lambda row, now: domain.breach(row["due_at"], now, calendar, breach_extension_working_days())),
            Deadline("unanswered", _due("paused_at IS NOT NULL AND answer_due_at < now() "
                                        "AND answer_overdue_at IS DISTINCT FROM answer_due_at", "answer_due_at"),
                     lambda row, now: domain.answer_overdue(row["paused_at"], row["answer_due_at"])),
        )
        self.reported = {deadline.name: 0 for deadline in self.deadlines}

    async def run(self) -> None:
        while not stopping():
            while await self.sweep() and not stopping():
                pass
            await asyncio.sleep(self.every_s)

    async def health(self) -> dict:
        return dict(self.reported)

    async def sweep(self, limit: int = 500) -> int:
        """Report one batch of each kind of passed deadline; how many in all."""
        return sum([await self._sweep(deadline, limit) for deadline in self.deadlines])

    async def _sweep(self, deadline: Deadline, limit: int) -> int:
        now = datetime.now(UTC)
        async with unit_of_work(self.sessions, self.store) as unit:
            due = [(case_id,) for case_id in (await unit.session.scalars(deadline.query, {"limit": limit})).all()]
            async with CASES.editing(unit.session, due) as rows:
                for key in due:
                    row = rows.get(key)
                    await emit_and_fold(unit, rows, [deadline.event(row, now)], key=row["case_id"],
                                        case_id=row["case_id"],
                                        cause=Cause(correlation_id=row["correlation_id"] or uuid4()))
        self.reported[deadline.name] += len(due)
        if due:
            log.info(f"sla.{deadline.name}", cases=len(due))
        return len(due)
