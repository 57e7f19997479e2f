"""Notify's handlers: every update the beneficiary must hear of becomes one pending notification per channel."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope, Event, RequestSubmitted
from notify.projection import notifications, recipients
from services.consumer import Poison, Unit


async def on_submitted(unit: Unit, run: Sequence[tuple[Envelope, RequestSubmitted]]) -> None:
    await unit.session.execute(
        insert(recipients).on_conflict_do_nothing(),
        [
            dict(case_id=envelope.case_id, language=event.language, channels=list(event.channels),
                 email=event.contact.email, mobile=event.contact.mobile)
            for envelope, event in run
        ],
    )
    await on_update(unit, run)


async def on_update(unit: Unit, run: Sequence[tuple[Envelope, Event]]) -> None:
    case_ids = {envelope.case_id for envelope, _ in run}
    known = {
        row.case_id: row
        for row in (await unit.session.execute(
            select(recipients.c.case_id, recipients.c.language, recipients.c.channels)
            .where(recipients.c.case_id.in_(case_ids))
        ))
    }
    rows = []
    for envelope, _ in run:
        recipient = known.get(envelope.case_id)
        if recipient is None:
            raise Poison(f"{envelope.type} for case {envelope.case_id} arrived before the case's RequestSubmitted")
        rows.extend(
            dict(event_id=envelope.event_id, channel=channel, case_id=envelope.case_id,
                 event_type=envelope.type, language=recipient.language, status="pending")
            for channel in recipient.channels
        )
    if rows:
        await unit.session.execute(insert(notifications).on_conflict_do_nothing(), rows)
