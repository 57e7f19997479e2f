"""Routing's handlers: a submitted request is routed once; a resolved case leaves the open count."""

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope, RequestSubmitted, Resolved, Routed
from routing import domain
from routing.projection import cases
from services.consumer import Unit
from services.eventstore import Cause


async def on_submitted(unit: Unit, envelope: Envelope, event: RequestSubmitted) -> None:
    case_id = envelope.case_id
    decision = domain.route(event.section)
    await unit.session.execute(
        insert(cases).values(
            case_id=case_id, section=event.section, sub_service=event.sub_service,
            department=decision.department, status="open", routed_at=envelope.occurred_at,
        )
    )
    routed = Routed(department=decision.department, rule=decision.rule, rules_version=domain.RULES_VERSION)
    await unit.emit(
        [routed], key=case_id, case_id=case_id, expected_version=0,
        cause=Cause.following(envelope),
    )


async def on_resolved(unit: Unit, envelope: Envelope, event: Resolved) -> None:
    await unit.session.execute(update(cases).where(cases.c.case_id == envelope.case_id).values(status="resolved"))
