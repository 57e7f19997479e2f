"""Notify's handlers: every update the beneficiary must hear of becomes one pending notification per channel."""

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope, Event, InfoRequested, RequestSubmitted, Resolved, Routed, SlaBreached
from notify.projection import recipients, updates
from services.consumer import Unit

TOLD: dict[type[Event], tuple[str, ...]] = {
    RequestSubmitted: (),
    Routed: ("department", "department_names", "due_at"),
    InfoRequested: ("question",),
    Resolved: ("outcome", "public_reply"),
    SlaBreached: ("due_at", "new_due_at"),
}
"""The updates the beneficiary is told of, and what of each the templates may show (never an internal note)."""

DERIVE = text(
    """
    INSERT INTO notifications (event_id, channel, case_id, event_type, language, status)
    SELECT u.event_id, c.channel, k.case_id, u.event_type, r.language, 'pending'
    FROM unnest(CAST(:case_ids AS text[])) AS k (case_id)
    -- Driven by the batch's cases with index lookups only; LIMIT / OFFSET 0 keep the planner from
    -- turning the lookups into joins that scan whole tables while their statistics are young.
    CROSS JOIN LATERAL (SELECT language, channels FROM recipients WHERE case_id = k.case_id LIMIT 1) AS r
    CROSS JOIN LATERAL (SELECT event_id, event_type FROM updates WHERE case_id = k.case_id OFFSET 0) AS u
    CROSS JOIN LATERAL unnest(r.channels) AS c (channel)
    ON CONFLICT DO NOTHING
    """
)
"""One pending notification per (update, chosen channel) of the given cases, once their recipient is known.

The ledger keeps every row it ever had, so deriving again (a redelivery, a republish) adds nothing."""


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
    """Record the updates, then derive what can be derived: the order of updates and recipients does not matter.

    While the read model is being rebuilt from the log nothing is derived: only live updates are sent."""
    await unit.session.execute(
        insert(updates).on_conflict_do_nothing(),
        [dict(event_id=envelope.event_id, case_id=envelope.case_id, event_type=envelope.type,
              occurred_at=envelope.occurred_at, correlation_id=envelope.correlation_id,
              data=event.model_dump(mode="json", include=set(TOLD[type(event)])))
         for envelope, event in run],
    )
    if not unit.replaying:
        await unit.session.execute(DERIVE, {"case_ids": sorted({envelope.case_id for envelope, _ in run})})
