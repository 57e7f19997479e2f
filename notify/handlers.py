"""Notify's handlers: every update the beneficiary must hear of becomes one pending notification per channel."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope, Event, RequestSubmitted
from notify.projection import notifications, recipients
from services.consumer import Poison, Unit


async def on_submitted(unit: Unit, envelope: Envelope, event: RequestSubmitted) -> None:
    await unit.session.execute(
        insert(recipients).values(
            case_id=envelope.case_id, language=event.language, channels=list(event.channels),
            email=event.contact.email, mobile=event.contact.mobile,
        ).on_conflict_do_nothing()
    )
    await on_update(unit, envelope, event)


async def on_update(unit: Unit, envelope: Envelope, event: Event) -> None:
    recipient = (
        await unit.session.execute(select(recipients).where(recipients.c.case_id == envelope.case_id))
    ).one_or_none()
    if recipient is None:
        raise Poison(f"{envelope.type} for case {envelope.case_id} arrived before the case's RequestSubmitted")
    await unit.session.execute(
        insert(notifications).values([
            dict(event_id=envelope.event_id, channel=channel, case_id=envelope.case_id,
                 event_type=envelope.type, language=recipient.language, status="pending")
            for channel in recipient.channels
        ]).on_conflict_do_nothing()
    )
