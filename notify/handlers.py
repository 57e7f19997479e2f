"""Notify's handler: every update the beneficiary must hear of becomes one pending notification per channel."""

from collections.abc import Collection, Sequence

from sqlalchemy import text

from contracts import Envelope, Event
from notify.projection import RECIPIENTS, UPDATES
from services.eventstore import Unit
from services.projection import apply_all

DERIVE = text(
    """
    INSERT INTO notifications (event_id, channel, case_id, event_type, language, status)
    SELECT u.event_id, c.channel, k.case_id, u.event_type, r.language, 'pending'
    FROM unnest(CAST(:case_ids AS text[])) AS k (case_id)
    -- Driven by the batch's cases with index lookups only; LIMIT / OFFSET 0 keep the planner from
    -- turning the lookups into joins that scan whole tables while their statistics are young.
    CROSS JOIN LATERAL (SELECT language, channels FROM recipients WHERE case_id = k.case_id LIMIT 1) AS r
    CROSS JOIN LATERAL (
        SELECT event_id, event_type FROM updates WHERE case_id = k.case_id AND event_type = ANY(:told) OFFSET 0
    ) AS u
    CROSS JOIN LATERAL unnest(r.channels) AS c (channel)
    ON CONFLICT DO NOTHING
    """
)
"""One pending notification per (update told of, chosen channel) of the given cases, once their recipient is known.

The ledger keeps every row it ever had, so deriving again (a redelivery, a republish) adds nothing."""


class Notifications:
    """The live handler of every update: `told` are the event types the beneficiary is told of."""

    def __init__(self, told: Collection[str]) -> None:
        self.told = sorted(told)

    async def on_update(self, unit: Unit, run: Sequence[tuple[Envelope, Event]]) -> None:
        """Fold the updates (and recipients) in, then derive what can be derived: the order of updates and
        recipients does not matter. Only the live consumer derives; a rebuild folds and sends nothing."""
        await apply_all(unit.session, (RECIPIENTS, UPDATES), run)
        case_ids = sorted({envelope.case_id for envelope, _ in run})
        await unit.session.execute(DERIVE, {"case_ids": case_ids, "told": self.told})
