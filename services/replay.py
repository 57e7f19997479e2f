"""Rebuild a read model from the log: read a topic from its first offset to its end and apply every message
with the service's own handlers, in a unit that decides nothing (`Unit.replaying`: nothing is emitted).

The caller empties the read-model tables in that same unit, so the live consumer waits on their lock
and never sees them half rebuilt. The inbox is not consulted: handlers write idempotently.
"""

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.consumer import Subscription
from services.eventstore import Unit
from services.settings import Settings

log = structlog.get_logger()


async def replay_log(settings: Settings, unit: Unit, subscription: Subscription, *, batch: int = 1000) -> int:
    """Apply every message of `subscription`'s topic in `unit`, in each partition's order; the number applied."""
    if not unit.replaying:
        raise ValueError("replay into a unit that is replaying: a rebuild must not emit or derive")
    name = settings.topic(subscription.topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=32 * 1024 * 1024)
    await consumer.start()
    applied = 0
    try:
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        while True:
            fetched = await consumer.getmany(timeout_ms=500, max_records=batch)
            items = [item for records in fetched.values() for record in records
                     if (item := subscription.decode(record)) is not None]
            if items:
                await subscription.handle_batch(unit, items)
                applied += len(items)
            if not fetched and await _at_end(consumer, partitions):
                break
    finally:
        await consumer.stop()
    log.info("replay.done", topic=name, applied=applied)
    return applied


async def _at_end(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> bool:
    for partition in partitions:
        end = consumer.highwater(partition)
        if end is not None and await consumer.position(partition) < end:
            return False
    return True
