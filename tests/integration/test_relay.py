"""The outbox relay over real PostgreSQL and Kafka: order, no gaps, NOTIFY wake-up, one active relay, retries."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Envelope, Routed, topics
from services import db
from services.embedded import EmbeddedKafka
from services.eventstore import Cause, EventStore
from services.relay import CHANNEL, RELAY_LOCK, Relay
from services.tables import event_store
from services.topics import ensure_topics
from tests.infra import free_port
from tests.system import read_topic

STORE = EventStore(producer="relay-tests")


def routed(department: str = "licensing") -> Routed:
    return Routed(department=department, rule="section=licensing", rules_version="2024-01")


def new_case() -> str:
    return f"case-{uuid.uuid4().hex[:12]}"


async def append(sessions: async_sessionmaker[AsyncSession], case: str, count: int = 1) -> list[Envelope]:
    async with sessions.begin() as session:
        return await STORE.append(
            session, [routed(f"d{n}") for n in range(count)], key=case, case_id=case,
            cause=Cause(correlation_id=uuid.uuid4()),
        )


def start_producer(bootstrap: str, **options: Any) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, **options)


def event_ids(records: list[ConsumerRecord]) -> list[uuid.UUID]:
    return [Envelope.model_validate_json(record.value).event_id for record in records]


async def wait_for(condition, what: str, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


class GatedProducer:
    """A real producer whose sends wait at a gate, so a test can hold a relay in the middle of a batch."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self.sending = asyncio.Event()
        self.gate = asyncio.Event()

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        self.sending.set()
        await self.gate.wait()
        return await self._producer.send(*args, **kwargs)


class CountingProducer:
    """A real producer that counts the sends asked of it."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self.sends = 0

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        self.sends += 1
        return await self._producer.send(*args, **kwargs)


@pytest.fixture(autouse=True)
async def empty_outbox(sessions) -> None:
    """Each test starts with nothing queued (earlier tests' events stay stored, as they would)."""
    async with sessions.begin() as session:
        await session.execute(text("DELETE FROM outbox"))


@pytest.fixture(scope="module")
async def producer(infra) -> AsyncIterator[AIOKafkaProducer]:
    producer = start_producer(infra.kafka_bootstrap, linger_ms=5)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def topic(infra) -> str:
    name = f"relay-{uuid.uuid4().hex[:10]}"
    await ensure_topics(infra.kafka_bootstrap, [name], 3)
    return name


@pytest.fixture
def make_relay(sessions, producer, database, topic):
    def make(**options: Any) -> Relay:
        options = {"producer": producer, "poll_interval_s": 0.1} | options
        topic_of = {topics.CASE_EVENTS: topic}.__getitem__  # a wrong event topic fails the test
        return Relay(sessions=sessions, listen_dsn=db.libpq_dsn(database), topic_name=topic_of, **options)

    return make


async def test_publish_once_sends_each_event_keyed_by_case_in_case_order_and_empties_the_outbox(
    infra, sessions, make_relay, topic
) -> None:
    cases = [new_case() for _ in range(3)]
    appended: dict[str, list[Envelope]] = {case: [] for case in cases}
    for _ in range(4):  # interleaved: the outbox holds a, b, c, a, b, c, ...
        for case in cases:
            appended[case] += await append(sessions, case)
    relay = make_relay(batch_size=5)

    assert [await relay.publish_once() for _ in range(4)] == [5, 5, 2, 0]

    assert await relay.pending() == 0
    assert relay.published == 12
    records = await read_topic(infra.kafka_bootstrap, topic, 12)
    assert len(records) == 12
    for case in cases:
        mine = sorted((r for r in records if r.key == case.encode()), key=lambda r: (r.partition, r.offset))
        assert len({r.partition for r in mine}) == 1
        assert [Envelope.model_validate_json(r.value) for r in mine] == appended[case]
        assert [json.loads(r.value)["sequence"] for r in mine] == [1, 2, 3, 4]


async def test_the_published_value_is_the_stored_envelope_json(infra, sessions, make_relay, topic) -> None:
    [envelope] = await append(sessions, new_case())
    await make_relay().publish_once()

    [record] = await read_topic(infra.kafka_bootstrap, topic, 1)
    async with sessions() as session:
        stored = await session.scalar(select(event_store.c.envelope).where(event_store.c.event_id == envelope.event_id))
    assert json.loads(record.value) == stored == envelope.model_dump(mode="json")


async def test_an_event_committed_late_with_a_lower_position_is_published_too(
    infra, sessions, make_relay, topic
) -> None:
    relay = make_relay()
    slow_case, fast_case = new_case(), new_case()

    async with sessions.begin() as slow:  # A: appends first, commits last
        [slow_event] = await STORE.append(
            slow, [routed("slow")], key=slow_case, case_id=slow_case, cause=Cause(correlation_id=uuid.uuid4())
        )
        [fast_event] = await append(sessions, fast_case)  # B: appends later, commits first

        assert await relay.publish_once() == 1
        assert event_ids(await read_topic(infra.kafka_bootstrap, topic, 1)) == [fast_event.event_id]
        assert await relay.publish_once() == 0

    assert await relay.publish_once() == 1
    assert sorted(event_ids(await read_topic(infra.kafka_bootstrap, topic, 2))) == sorted(
        [fast_event.event_id, slow_event.event_id]
    )
    async with sessions() as session:
        positions = dict(
            (await session.execute(
                select(event_store.c.event_id, event_store.c.position)
                .where(event_store.c.event_id.in_([slow_event.event_id, fast_event.event_id]))
            )).all()
        )
    assert positions[slow_event.event_id] < positions[fast_event.event_id]  # it really was the gap case


async def test_a_sleeping_relay_is_woken_by_notify_and_publishes_within_seconds(
    infra, sessions, make_relay, topic
) -> None:
    relay = make_relay(poll_interval_s=30)
    running = asyncio.create_task(relay.run())
    try:
        async def listening() -> bool:
            async with sessions() as session:
                return bool(await session.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = :q"),
                    {"q": f"LISTEN {CHANNEL}"},
                ))

        await wait_for(listening, "the relay listens on its channel")
        began = time.monotonic()
        [envelope] = await append(sessions, new_case())

        records = await read_topic(infra.kafka_bootstrap, topic, 1, timeout=5)
        assert event_ids(records) == [envelope.event_id]
        assert time.monotonic() - began < 5  # the poll interval is 30 s: only the NOTIFY explains this
    finally:
        await stop(running)


async def test_a_relay_publishes_nothing_while_another_holds_the_lock_in_an_open_transaction(
    sessions, make_relay
) -> None:
    await append(sessions, new_case(), count=2)
    relay = make_relay()

    async with sessions.begin() as other_relay:
        await other_relay.execute(select(func.pg_advisory_xact_lock(RELAY_LOCK)))
        assert await relay.publish_once() == 0
        assert await relay.pending() == 2

    assert await relay.publish_once() == 2


async def test_a_second_relay_stands_by_while_the_first_is_publishing_a_batch(
    infra, sessions, make_relay, producer, topic
) -> None:
    await append(sessions, new_case(), count=3)
    gated = GatedProducer(producer)
    first, second = make_relay(producer=gated), make_relay()

    publishing = asyncio.create_task(first.publish_once())
    try:
        await asyncio.wait_for(gated.sending.wait(), timeout=10)
        assert await second.publish_once() == 0
    finally:
        gated.gate.set()
    assert await publishing == 3

    assert await second.publish_once() == 0
    assert len(await read_topic(infra.kafka_bootstrap, topic, 3)) == 3


async def test_two_running_relays_publish_every_event_exactly_once_between_them(
    infra, sessions, make_relay, topic
) -> None:
    relays = [make_relay(batch_size=7, poll_interval_s=0.05) for _ in range(2)]
    running = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        appended = [e.event_id for case in [new_case() for _ in range(10)] for e in await append(sessions, case, 5)]
        records = await read_topic(infra.kafka_bootstrap, topic, 50, timeout=20)
    finally:
        for task in running:
            await stop(task)

    assert sorted(event_ids(records)) == sorted(appended)
    assert sum(relay.published for relay in relays) == 50


async def test_the_outbox_waits_while_the_broker_is_away_and_is_published_when_it_returns(
    sessions, database, tmp_path
) -> None:
    broker = EmbeddedKafka(port=free_port(), log_path=tmp_path / "tansu.log")
    await asyncio.to_thread(broker.start)
    topic = f"relay-away-{uuid.uuid4().hex[:8]}"
    await ensure_topics(broker.bootstrap, [topic], 1)
    producer = start_producer(broker.bootstrap, request_timeout_ms=1000, retry_backoff_ms=100)
    await producer.start()
    counting = CountingProducer(producer)
    relay = Relay(sessions=sessions, producer=counting, listen_dsn=db.libpq_dsn(database),
                  topic_name=lambda _: topic, poll_interval_s=0.1)
    running = None
    try:
        await append(sessions, new_case())
        assert await relay.publish_once() == 1

        await asyncio.to_thread(broker.stop, 0.5)  # killed: Tansu waits 5 s for clients on SIGTERM
        [envelope] = await append(sessions, new_case())
        with pytest.raises(KafkaError):
            await relay.publish_once()
        assert await relay.pending() == 1

        running = asyncio.create_task(relay.run())
        tried = counting.sends

        async def retried() -> bool:
            return counting.sends >= tried + 2

        await wait_for(retried, "run() tries again after a failed batch", timeout=15)
        assert not running.done() and await relay.pending() == 1

        # Tansu's memory log comes back without topics and acks sends to a missing topic without
        # storing them; a service creates its topics on start, so hold the relay off until it has.
        async with sessions.begin() as hold:
            await hold.execute(select(func.pg_advisory_xact_lock(RELAY_LOCK)))
            await asyncio.to_thread(broker.start)
            await ensure_topics(broker.bootstrap, [topic], 1)

        async def drained() -> bool:
            return await relay.pending() == 0

        await wait_for(drained, "the outbox is empty", timeout=20)
        assert event_ids(await read_topic(broker.bootstrap, topic, 1)) == [envelope.event_id]
    finally:
        if running is not None:
            await stop(running)
        await producer.stop()
        await asyncio.to_thread(broker.stop, 0.5)
