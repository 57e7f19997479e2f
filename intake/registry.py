"""Intake's subscription to the population registry (`tawasul.registry`), folded into `LINKS`, and the lookup
of who is linked to whose account."""

from collections.abc import Sequence

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import text

from contracts import topics
from contracts.registry import RegistryChange
from intake.projection import LINKS, change_id
from services.consumer import Incoming, Poison, Subscription, validation_reason
from services.eventstore import Cause, Unit

LINKED = text(
    """
    SELECT k.account_id, k.person_id, l.relation, l.nationality
    FROM unnest(CAST(:accounts AS text[]), CAST(:people AS text[])) AS k (account_id, person_id)
    CROSS JOIN LATERAL (
        SELECT relation, nationality FROM links
        WHERE links.account_id = k.account_id AND links.person_id = k.person_id AND linked
        LIMIT 1
    ) AS l
    """
)
"""The live links among the given (account, person) pairs."""


async def linked(unit: Unit, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(relation, nationality) of each given (account, person) pair that is linked now."""
    if not pairs:
        return {}
    rows = await unit.session.execute(
        LINKED, {"accounts": [a for a, _ in pairs], "people": [p for _, p in pairs]}
    )
    return {(account, person): (relation, nationality) for account, person, relation, nationality in rows}


class Registry(Subscription):
    topic = topics.REGISTRY
    projections = (LINKS,)

    def decode(self, record: ConsumerRecord) -> Incoming:
        try:
            change = RegistryChange.model_validate_json(record.value or b"")
        except ValidationError as error:
            raise Poison(validation_reason(error)) from error
        message_id = change_id(change)
        return Incoming(record=record, message_id=message_id, body=change, cause=Cause(correlation_id=message_id))

    async def handle_batch(self, unit: Unit, items: Sequence[Incoming]) -> None:
        await LINKS.apply(unit.session, [item.body for item in items])
