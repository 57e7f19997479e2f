"""Intake's read model of the population registry: who is linked to whose account, from `tawasul.registry`."""

from collections.abc import Sequence
from uuid import NAMESPACE_URL, uuid5

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import text, tuple_
from sqlalchemy.dialects.postgresql import insert

from contracts import topics
from contracts.registry import RegistryChange
from intake.projection import links
from services.consumer import Incoming, Poison, Subscription, Unit, validation_reason
from services.eventstore import Cause

LATEST = insert(links)
UPSERT = LATEST.on_conflict_do_update(
    index_elements=[links.c.account_id, links.c.person_id],
    set_={column: LATEST.excluded[column] for column in ("relation", "nationality", "linked", "occurred_at",
                                                           "event_id")},
    where=tuple_(LATEST.excluded.occurred_at, LATEST.excluded.event_id) > tuple_(links.c.occurred_at, links.c.event_id),
)
"""A change applies unless the link already reflects a later one: the registry's order, not arrival's, wins."""

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

    def decode(self, record: ConsumerRecord) -> Incoming:
        try:
            change = RegistryChange.model_validate_json(record.value or b"")
        except ValidationError as error:
            raise Poison(validation_reason(error)) from error
        message_id = uuid5(NAMESPACE_URL, f"tawasul:registry:{change.event_id}")
        return Incoming(record=record, message_id=message_id, body=change, cause=Cause(correlation_id=message_id))

    async def handle_batch(self, unit: Unit, items: Sequence[Incoming]) -> None:
        latest: dict[tuple[str, str], RegistryChange] = {}
        for item in items:
            change: RegistryChange = item.body
            key = (change.account_id, change.person_id)
            if key not in latest or (change.occurred_at, change.event_id) > (latest[key].occurred_at,
                                                                             latest[key].event_id):
                latest[key] = change
        await unit.session.execute(UPSERT, [
            dict(account_id=c.account_id, person_id=c.person_id, relation=c.relation, nationality=c.nationality,
                 linked=c.type == "PersonLinked", occurred_at=c.occurred_at, event_id=c.event_id)
            for c in latest.values()
        ])
