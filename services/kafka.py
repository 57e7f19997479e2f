"""Kafka clients the runtime shares: the producer, the topic list, the service's one consumer group."""

import asyncio
import dataclasses
import os
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLScram256, SASLScram512

from contracts import topics
from services.settings import Settings

log = structlog.get_logger()

POSITION_TIMEOUT_S = 1.0
MAX_MESSAGE_BYTES = 32 * 1024 * 1024
"""Submissions carry base64 attachments (20 MB a request at most, a third more as base64)."""


def all_topics(settings: Settings) -> list[str]:
    """Every topic the system uses, namespaced: the three logs and a dead-letter topic for each."""
    names = [settings.topic(name) for name in topics.ALL]
    return names + [topics.dead_letters(name) for name in names]


def security(settings: Settings) -> BaseSecurity | None:
    """How this process's Kafka clients authenticate: not at all on the embedded broker, as the service's own
    SASL/SCRAM principal on a production cluster (over TLS with SASL_SSL)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    tls = settings.kafka_security_protocol == "SASL_SSL"
    context = create_ssl_context(cafile=str(settings.kafka_ca_file) if settings.kafka_ca_file else None) \
        if tls else None
    scram = SASLScram512 if settings.kafka_sasl_mechanism == "SCRAM-SHA-512" else SASLScram256
    password = settings.kafka_password.get_secret_value() if settings.kafka_password else ""
    return scram(settings.kafka_username or "", password, ssl_context=context, use_ssl=tls)


def client_options(settings: Settings) -> dict[str, Any]:
    """`security(settings)` as the keyword arguments of an aiokafka client (producer, consumer, admin)."""
    return parse_security(security(settings))


def create_producer(settings: Settings, bootstrap: str) -> AIOKafkaProducer:
    # No idempotent producer: the embedded broker lacks InitProducerId; consumers dedupe instead.
    return AIOKafkaProducer(
        **client_options(settings),
        bootstrap_servers=bootstrap,
        client_id=f"tawasul-{settings.namespace or 'main'}",
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        max_request_size=MAX_MESSAGE_BYTES,
        enable_idempotence=False,
    )


async def lenient_batch_parser(records: tuple[ConsumerRecord, ...], original: Callable) -> Any:
    """FastStream decodes header values as UTF-8 and silently drops a batch it cannot decode.

    We never read FastStream's decoded headers, so it parses header-less copies, and the message
    keeps the original records: a bad header then reaches our consumer (and the dead letters).
    """
    parsed = await original(tuple(dataclasses.replace(record, headers=()) for record in records))
    parsed.raw_message = records
    return parsed


async def raw_values(message: Any) -> list[bytes | None]:
    """The batch body as the raw values: decoding is the subscription's job, poison included."""
    return [record.value for record in message.raw_message]


async def broker_reachable(producer: AIOKafkaProducer) -> bool:
    """Whether the cluster answers a metadata request within `POSITION_TIMEOUT_S` (a frozen broker does not)."""
    try:
        async with asyncio.timeout(POSITION_TIMEOUT_S):
            await producer.client.fetch_all_metadata()
    except (TimeoutError, KafkaError, OSError):
        return False
    return True


async def consumer_lag(broker: KafkaBroker) -> dict[str, int]:
    """Records not yet consumed per assigned partition: the fetch high-water mark minus our position.

    Read from the fetcher, not `end_offsets`, which the embedded broker answers wrongly. A partition whose
    position is not known within `POSITION_TIMEOUT_S` is left out.
    """
    lag: dict[str, int] = {}
    for subscriber in broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is None:
            continue
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            if highwater is None:
                continue
            try:  # a position not known yet (a rebalance under way) waits; a health check must not
                async with asyncio.timeout(POSITION_TIMEOUT_S):
                    position = await consumer.position(partition)
            except TimeoutError:
                continue
            lag[f"{partition.topic}/{partition.partition}"] = max(0, highwater - position)
    return lag


def create_broker(
    settings: Settings,
    bootstrap: str,
    *,
    service: str,
    topic_names: Iterable[str],
    on_batch: Callable[[tuple], Awaitable[None]],
) -> KafkaBroker:
    """A FastStream broker with one batch subscriber over the service's topics, committing manually."""
    broker = KafkaBroker(bootstrap, logger=None, client_id=f"tawasul-{service}", security=security(settings))

    @broker.subscriber(
        *topic_names,
        group_id=settings.group(service),
        batch=True,
        max_records=settings.consumer_batch_size,
        batch_timeout_ms=settings.consumer_batch_timeout_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
        parser=lenient_batch_parser,
        decoder=raw_values,
    )
    async def consume(msg: KafkaMessage) -> None:
        try:
            await on_batch(msg.raw_message)
        except Exception:  # noqa: BLE001
            # Never ack past a batch that was not applied: a later ack would commit its offsets.
            # Crash instead; the supervisor restarts the service and Kafka redelivers the batch.
            log.exception("consumer.crashed", service=service)
            os._exit(70)
        await msg.ack()  # commits the positions of this batch, and only after it is applied

    return broker
