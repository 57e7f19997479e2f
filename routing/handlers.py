"""Routing's handlers: a submitted request is routed once; a resolved case leaves the open count."""

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope, RequestSubmitted, Resolved, Routed
from routing import domain
from routing.projection import cases
from routing.sla import load_calendar, working_days_for
from services.consumer import Unit
from services.eventstore import Cause


async def on_submitted(unit: Unit, run: Sequence[tuple[Envelope, RequestSubmitted]]) -> None:
    rows = []
    calendar = load_calendar()
    for envelope, event in run:
        decision = domain.route(event.section)
        due_at = calendar.due_at(event.submitted_at, working_days_for(event.sub_service))
        rows.append(dict(case_id=envelope.case_id, section=event.section, sub_service=event.sub_service,
                         department=decision.department, status="open", routed_at=envelope.occurred_at))
        routed = Routed(department=decision.department, rule=decision.rule, rules_version=domain.RULES_VERSION,
                        due_at=due_at, calendar_version=calendar.version)
        await unit.emit([routed], key=envelope.case_id, case_id=envelope.case_id, expected_version=0,
                        cause=Cause.following(envelope))
    await unit.session.execute(insert(cases), rows)


async def on_resolved(unit: Unit, run: Sequence[tuple[Envelope, Resolved]]) -> None:
    case_ids = [envelope.case_id for envelope, _ in run]
    await unit.session.execute(update(cases).where(cases.c.case_id.in_(case_ids)).values(status="resolved"))
