"""Routing's handlers: route each request once, move cases on transfer, pause and resume their clocks.

Each handler decides from the case's row, emits what it decided, and folds both the event it read and the
events it emitted into `CASES` (in the order they happened), in the consumer's transaction.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select

from contracts import Envelope, Event, InfoProvided, InfoRequested, RequestSubmitted, Resolved, TransferRequested
from routing import domain
from routing.calendar import Calendar
from routing.projection import CASES, cases
from routing.rules import RuleSet
from routing.sla import working_days_for
from services.case_events import Handler
from services.eventstore import Cause, Unit
from services.projection import Row, emit_and_fold

OPEN_LOADS = (
    select(cases.c.department, func.count())
    .where(cases.c.status == "open", cases.c.department.in_(bindparam("departments", expanding=True)))
    .group_by(cases.c.department)
)

CLOCK = ("department", "status", "due_at", "calendar_version", "paused_at", "remaining_seconds", "sla_seconds",
         "warn_at")


def clock_of(row: Row | None) -> domain.CaseClock | None:
    return None if row is None else domain.CaseClock(**{name: row[name] for name in CLOCK})


@dataclass(frozen=True)
class Routing:
    """What routing decides by: the rule set and the business calendar, read when the service is built."""

    rules: RuleSet
    calendar: Calendar
    deadlines: domain.Deadlines = domain.DEADLINES

    def handlers(self) -> dict[type[Event], Handler]:
        return {
            RequestSubmitted: self.on_submitted, TransferRequested: self.on_transfer_requested,
            InfoRequested: self.on_info_requested, InfoProvided: self.on_info_provided, Resolved: self.on_resolved,
        }

    async def on_submitted(self, unit: Unit, run: Sequence[tuple[Envelope, RequestSubmitted]]) -> None:
        contested = sorted({department for _, event in run for department in domain.contested(event, self.rules)})
        # Open cases are counted only where a choice depends on them, and only for the departments in question.
        loads = dict((await unit.session.execute(OPEN_LOADS, {"departments": contested})).tuples().all()) \
            if contested else {}
        async with CASES.editing(unit.session, [(envelope.case_id,) for envelope, _ in run]) as rows:
            for envelope, event in run:
                known = rows.get((envelope.case_id,))
                if known is not None and known["department"] is not None:
                    rows.fold([(envelope, event)])  # routed already: never decided twice
                    continue
                routed = domain.route(event, loads=loads, calendar=self.calendar, rules=self.rules,
                                      working_days=working_days_for(event.sub_service), deadlines=self.deadlines)
                loads[routed.department] = loads.get(routed.department, 0) + 1  # the next decision sees it
                rows.fold([(envelope, event)])
                await emit_and_fold(unit, rows, [routed], key=envelope.case_id, case_id=envelope.case_id,
                                    expected_version=0, cause=Cause.following(envelope))

    async def on_transfer_requested(self, unit: Unit, run: Sequence[tuple[Envelope, TransferRequested]]) -> None:
        await self._decide(unit, run, lambda clock, envelope, event: domain.transfer(event, clock, rules=self.rules))

    async def on_info_requested(self, unit: Unit, run: Sequence[tuple[Envelope, InfoRequested]]) -> None:
        await self._decide(unit, run, lambda clock, envelope, _: domain.pause(clock, envelope.occurred_at,
                                                                              self.calendar, self.deadlines))

    async def on_info_provided(self, unit: Unit, run: Sequence[tuple[Envelope, InfoProvided]]) -> None:
        await self._decide(unit, run, lambda clock, envelope, _: domain.resume(clock, envelope.occurred_at,
                                                                               self.calendar, self.deadlines))

    async def on_resolved(self, unit: Unit, run: Sequence[tuple[Envelope, Resolved]]) -> None:
        await CASES.apply(unit.session, run)

    async def _decide(
        self, unit: Unit, run: Sequence[tuple[Envelope, Any]],
        decide: Callable[[domain.CaseClock | None, Envelope, Any], Event | None],
    ) -> None:
        """Each event's decision on its case as it stands (a case may appear more than once in a run)."""
        async with CASES.editing(unit.session, [(envelope.case_id,) for envelope, _ in run]) as rows:
            for envelope, event in run:
                decided = decide(clock_of(rows.get((envelope.case_id,))), envelope, event)
                if decided is not None:
                    await emit_and_fold(unit, rows, [decided], key=envelope.case_id, case_id=envelope.case_id,
                                        cause=Cause.following(envelope))

