"""A consumer placed at the end of one of a system's topics, so a round reads only what it caused."""

from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.system import System


async def tail(system: System, topic: str) -> AIOKafkaConsumer:
    """Started and positioned at the current end of every partition (the caller stops it).

    (The embedded broker places that end a little early, within its last batch: a few old records
    may be read again; callers ignore what they did not ask for.)
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=system.infra.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    name = system.topic(topic)
    partitions = [TopicPartition(name, p) for p in range(system.settings.topic_partitions)]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    for partition in partitions:
        await consumer.position(partition)  # resolve the end now, before anything is published
    return consumer
