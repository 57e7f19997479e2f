"""Rebuild a service's read models from the log: read each topic they come from, from its first offset to its
end, and fold every message into them in one unit that decides nothing (`Unit.replaying`: nothing is emitted,
nothing is sent).

The tables are emptied in that same unit, so the live consumer waits on their lock and never sees them half
rebuilt. A message the log holds twice (a relay's retry) is applied once, as the live consumer's inbox would.
"""

from collections.abc import Sequence
from uuid import UUID

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from sqlalchemy import text

from services.app import Service, service_database
from services.consumer import Incoming, Poison, Subscription
from services.eventstore import EventStore, Unit, unit_of_work
from services.kafka import MAX_MESSAGE_BYTES, client_options
from services.settings import Settings

log = structlog.get_logger()


async def rebuild(service: Service, settings: Settings) -> int:
    """Empty `service`'s read-model tables and fold the log into them again; the number of messages folded."""
    subscriptions = service.read_models()
    tables = ", ".join(f'"{projection.table.name}"' for projection in service.projections())
    if not tables:
        raise ValueError(f"{service.name} declares no read model to rebuild")
    async with (service_database(service, settings) as sessions,
                unit_of_work(sessions, EventStore(producer=service.name), replaying=True) as unit):
        await unit.session.execute(text(f"TRUNCATE {tables}"))
        applied = 0
        for subscription in subscriptions:
            applied += await replay_log(settings, unit, subscription)
    return applied


async def replay_log(settings: Settings, unit: Unit, subscription: Subscription, *, batch: int = 1000) -> int:
    """Apply every message of `subscription`'s topic in `unit`, in each partition's order; the number applied."""
    if not unit.replaying:
        raise ValueError("replay into a unit that is replaying: a rebuild must not emit or derive")
    name = settings.topic(subscription.topic)
    consumer = AIOKafkaConsumer(**client_options(settings), bootstrap_servers=settings.kafka_bootstrap,
                                enable_auto_commit=False, max_partition_fetch_bytes=MAX_MESSAGE_BYTES)
    await consumer.start()
    applied = 0
    seen: set[UUID] = set()
    try:
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        while True:
            fetched = await consumer.getmany(timeout_ms=500, max_records=batch)
            items = [item for records in fetched.values() for record in records
                     if (item := _decoded(subscription, record)) is not None and _first(item, seen)]
            if items:
                await subscription.handle_batch(unit, items)
                applied += len(items)
            if not fetched and await _at_end(consumer, partitions):
                break
    finally:
        await consumer.stop()
    log.info("replay.done", topic=name, applied=applied)
    return applied


def _first(item: Incoming, seen: set[UUID]) -> bool:
    """Whether `item` is the first copy of its message in this replay."""
    if item.message_id in seen:
        return False
    seen.add(item.message_id)
    return True


def _decoded(subscription: Subscription, record: ConsumerRecord) -> Incoming | None:
    """The message, or None for one the live consumer skipped or dead-lettered (it changed no read model)."""
    try:
        return subscription.decode(record)
    except Poison as error:
        log.warning("replay.skipped_poison", topic=record.topic, partition=record.partition, offset=record.offset,
                    reason=error.reason)
        return None


async def _at_end(consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> bool:
    for partition in partitions:
        end = consumer.highwater(partition)
        if end is not None and await consumer.position(partition) < end:
            return False
    return True
