"""The batch consumer over real Kafka records and PostgreSQL: inbox, dead letters, retries, per-message fallback."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import psycopg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import PRODUCERS, Envelope, Resolved, Routed
from contracts.topics import CONSUMER_HEADER, REASON_HEADER, SOURCE_HEADER
from services import db
from services.case_events import CaseEvents
from services.consumer import HANDLER_ATTEMPTS, BatchConsumer, Incoming, Poison, Subscription, content_id
from services.eventstore import Cause, ConcurrencyError, EventStore, Unit
from services.tables import event_store, inbox, outbox
from services.topics import ensure_topics
from tests.system import read_topic

CORRELATION = uuid.uuid4()
LEDGER = "CREATE TABLE ledger (consumer text NOT NULL, message_id uuid NOT NULL, note text NOT NULL)"
"""The tests' read model: one row per applied message (no key, so a second application shows)."""


def message(note: str = "", *, case: str | None = None) -> tuple[UUID, bytes]:
    """A test message: its id and its bytes; `case` is the stream its handler emits to, when it emits."""
    message_id = uuid.uuid4()
    return message_id, json.dumps({"id": str(message_id), "note": note, "case": case}).encode()


def envelope(type_: str, data: dict[str, Any], **fields: Any) -> Envelope:
    case = f"case-{uuid.uuid4().hex[:8]}"
    return Envelope(type=type_, version=1, case_id=case, sequence=1, producer=PRODUCERS[type_],
                    correlation_id=uuid.uuid4(), data=data, **fields)


def routed_data(**changes: Any) -> dict[str, Any]:
    return {"department": "licensing", "rule": "section=licensing", "rules_version": "2024-01"} | changes


async def write_ledger(unit: Unit, consumer: str, message_id: UUID, note: str) -> None:
    await unit.session.execute(
        text("INSERT INTO ledger (consumer, message_id, note) VALUES (:c, :m, :n)"),
        {"c": consumer, "m": message_id, "n": note},
    )


class Ledger(Subscription):
    """JSON messages `{"id", "note", "case"}`; applying one writes a ledger row and, with a case, emits `Routed`.

    Failures are planned per message id and raised after the message's effects.
    """

    def __init__(self, topic: str, consumer: str) -> None:
        self.topic = topic
        self._consumer = consumer
        self.calls: Counter[UUID] = Counter()
        self.fail_always: dict[UUID, Exception] = {}
        self.fail_next: dict[UUID, list[Exception]] = {}
        """Raised one per call, in order, until none are left."""

    def decode(self, record: ConsumerRecord) -> Incoming:
        try:
            body = json.loads(record.value)
        except ValueError as error:
            raise Poison(f"not JSON: {error}") from error
        message_id = UUID(body["id"])
        cause = Cause(correlation_id=CORRELATION, causation_id=message_id)
        return Incoming(record=record, message_id=message_id, body=body, cause=cause)

    async def handle(self, unit: Unit, incoming: Incoming) -> None:
        self.calls[incoming.message_id] += 1
        await write_ledger(unit, self._consumer, incoming.message_id, incoming.body["note"])
        if case := incoming.body["case"]:
            routed = Routed(**routed_data(department=incoming.body["note"]))
            await unit.emit([routed], key=case, case_id=case, cause=incoming.cause)
        if incoming.message_id in self.fail_always:
            raise self.fail_always[incoming.message_id]
        if self.fail_next.get(incoming.message_id):
            raise self.fail_next[incoming.message_id].pop(0)

    async def reject(self, unit: Unit, record: ConsumerRecord, reason: str) -> None:
        await write_ledger(unit, self._consumer, content_id(record.value), f"rejected: {reason}")


def headers_of(record: ConsumerRecord) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


@pytest.fixture(scope="module", autouse=True)
def ledger_table(database: URL) -> None:
    with psycopg.connect(db.libpq_dsn(database), autocommit=True) as conn:
        conn.execute(LEDGER)


@pytest.fixture(scope="module")
async def producer(infra) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def topic(infra) -> str:
    name = f"consumer-{uuid.uuid4().hex[:10]}"
    await ensure_topics(infra.kafka_bootstrap, [name, f"{name}.dlq"], 1)
    return name


@pytest.fixture
def name() -> str:
    """The consumer's name: its inbox rows, dead-letter header and ledger rows are its own."""
    return f"consumer-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def fetch(infra, producer, topic):
    """Produce `values` to the test's topic and fetch them back as the records a broker hands a consumer."""

    async def fetch(*values: bytes) -> list[ConsumerRecord]:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"k")
        return await read_topic(infra.kafka_bootstrap, topic, len(values))

    return fetch


@pytest.fixture
def dead_letters(infra, topic):
    async def dead_letters(at_least: int = 0) -> list[ConsumerRecord]:
        return await read_topic(infra.kafka_bootstrap, f"{topic}.dlq", at_least)

    return dead_letters


@pytest.fixture
def make_consumer(sessions, producer, topic, name):
    def make(subscription: Subscription) -> BatchConsumer:
        return BatchConsumer(name=name, subscriptions={topic: subscription}, sessions=sessions,
                             store=EventStore(producer=name), producer=producer)

    return make


@pytest.fixture
def ledger(sessions, name):
    async def ledger() -> Counter[UUID]:
        """How many times each message was applied, as committed."""
        async with sessions() as session:
            rows = await session.execute(text("SELECT message_id FROM ledger WHERE consumer = :c"), {"c": name})
            return Counter(rows.scalars())

    return ledger


async def inbox_of(sessions: async_sessionmaker[AsyncSession], name: str) -> set[UUID]:
    async with sessions() as session:
        return set((await session.execute(select(inbox.c.message_id).where(inbox.c.consumer == name))).scalars())


async def test_a_batch_is_applied_once_and_claimed_in_the_inbox(
    sessions, topic, name, fetch, make_consumer, ledger
) -> None:
    messages = [message(f"m{n}") for n in range(3)]
    records = await fetch(*(value for _, value in messages))
    consumer = make_consumer(Ledger(topic, name))

    await consumer.process(records)

    ids = [message_id for message_id, _ in messages]
    assert await ledger() == Counter(ids)
    assert await inbox_of(sessions, name) == set(ids)
    assert (consumer.applied, consumer.ignored, consumer.dead_lettered) == (3, 0, 0)


async def test_a_batch_processed_again_changes_nothing_and_counts_as_ignored(
    topic, name, fetch, make_consumer, ledger, dead_letters
) -> None:
    messages = [message(f"m{n}") for n in range(3)]
    records = await fetch(*(value for _, value in messages))
    subscription = Ledger(topic, name)
    consumer = make_consumer(subscription)
    await consumer.process(records)

    await consumer.process(records)
    await make_consumer(subscription).process(records)  # a restarted consumer: only its inbox remembers

    assert await ledger() == Counter(message_id for message_id, _ in messages)
    assert sum(subscription.calls.values()) == 3
    assert (consumer.applied, consumer.ignored) == (3, 3)
    assert await dead_letters() == []


async def test_the_same_message_twice_in_one_batch_is_applied_once(
    topic, name, fetch, make_consumer, ledger
) -> None:
    (twice, value), (once, other) = message("twice"), message("once")
    records = await fetch(value, other, value)
    consumer = make_consumer(Ledger(topic, name))

    await consumer.process(records)

    assert await ledger() == Counter({twice: 1, once: 1})
    assert (consumer.applied, consumer.ignored) == (2, 1)


async def test_a_record_that_is_not_json_is_dead_lettered_with_its_bytes_and_the_rest_of_its_batch_is_applied(
    topic, name, fetch, make_consumer, ledger, dead_letters
) -> None:
    (first, first_value), (last, last_value) = message("first"), message("last")
    poison = b'{"id": "not even closed'
    records = await fetch(first_value, poison, last_value)
    consumer = make_consumer(Ledger(topic, name))

    await consumer.process(records)

    applied = await ledger()
    assert (applied[first], applied[last]) == (1, 1)
    [dead] = await dead_letters(1)
    assert dead.value == poison
    assert dead.key == records[1].key
    headers = headers_of(dead)
    assert headers[REASON_HEADER].startswith("not JSON")
    assert headers[SOURCE_HEADER] == f"{topic}/{records[1].partition}/{records[1].offset}"
    assert headers[CONSUMER_HEADER] == name
    assert (consumer.applied, consumer.dead_lettered) == (2, 1)


async def test_a_poison_record_is_rejected_once_however_often_it_comes_again(
    topic, name, fetch, make_consumer, ledger
) -> None:
    poison = b"<xml/>"
    records = await fetch(poison)
    consumer = make_consumer(Ledger(topic, name))

    await consumer.process(records)
    await consumer.process(records)

    assert await ledger() == Counter({content_id(poison): 1})


async def test_a_message_whose_handler_keeps_failing_is_dead_lettered_alone_after_its_attempts(
    topic, name, fetch, make_consumer, ledger, dead_letters
) -> None:
    (first, first_value), (bad, bad_value), (last, last_value) = message("a"), message("bad"), message("c")
    records = await fetch(first_value, bad_value, last_value)
    subscription = Ledger(topic, name)
    subscription.fail_always[bad] = ValueError("no such department")
    consumer = make_consumer(subscription)

    await consumer.process(records)

    assert await ledger() == Counter({first: 1, last: 1})
    assert subscription.calls[bad] == 1 + HANDLER_ATTEMPTS  # once in the batch, then alone
    [dead] = await dead_letters(1)
    assert dead.value == bad_value
    assert headers_of(dead)[REASON_HEADER] == (
        f"handler failed after {HANDLER_ATTEMPTS} attempts: ValueError('no such department')"
    )
    assert (consumer.applied, consumer.dead_lettered) == (2, 1)

    await consumer.process(records)  # redelivered: the dead message is in the inbox too

    assert subscription.calls[bad] == 1 + HANDLER_ATTEMPTS
    assert len(await dead_letters(1)) == 1
    assert consumer.ignored == 3


@pytest.mark.parametrize(
    "error",
    [
        ConcurrencyError("stream case-1 moved past 3"),
        OperationalError("INSERT INTO ledger", {}, Exception("server closed the connection unexpectedly")),
    ],
    ids=["concurrency", "database-away"],
)
async def test_a_transient_failure_is_retried_past_the_handler_attempts_and_the_batch_applied_exactly_once(
    topic, name, fetch, make_consumer, ledger, dead_letters, error: Exception
) -> None:
    messages = [message(f"m{n}") for n in range(3)]
    records = await fetch(*(value for _, value in messages))
    subscription = Ledger(topic, name)
    flaky = messages[1][0]
    failures = HANDLER_ATTEMPTS + 1  # a non-transient error this often would be dead-lettered
    subscription.fail_next[flaky] = [error] * failures
    consumer = make_consumer(subscription)

    await consumer.process(records)

    assert await ledger() == Counter(message_id for message_id, _ in messages)
    assert subscription.calls[flaky] == failures + 1
    assert subscription.calls[messages[0][0]] == failures + 1  # each time the whole batch rolled back and ran again
    assert await dead_letters() == []
    assert (consumer.applied, consumer.dead_lettered) == (3, 0)


async def test_events_handlers_emit_are_stored_once_with_their_batch_even_when_it_is_retried(
    sessions, topic, name, fetch, make_consumer, ledger
) -> None:
    one, other = f"case-{uuid.uuid4().hex[:8]}", f"case-{uuid.uuid4().hex[:8]}"
    messages = [message("a", case=one), message("b", case=other), message("c", case=one)]
    records = await fetch(*(value for _, value in messages))
    subscription = Ledger(topic, name)
    subscription.fail_next[messages[2][0]] = [ConcurrencyError("raised after the message emitted its event")]

    await make_consumer(subscription).process(records)

    async with sessions() as session:
        rows = (await session.execute(
            select(event_store.c.stream, event_store.c.sequence, event_store.c.envelope, outbox.c.position)
            .outerjoin(outbox, outbox.c.position == event_store.c.position)
            .where(event_store.c.stream.in_([one, other]))
            .order_by(event_store.c.position)
        )).all()
    assert [(row.stream, row.sequence) for row in rows] == [(one, 1), (other, 1), (one, 2)]
    assert all(row.position is not None for row in rows)  # queued for the relay in the same transaction
    emitted = [Envelope.model_validate(row.envelope) for row in rows]
    assert [e.causation_id for e in emitted] == [message_id for message_id, _ in messages]
    assert {e.correlation_id for e in emitted} == {CORRELATION}
    assert [e.data["department"] for e in emitted] == ["a", "b", "c"]
    assert {e.producer for e in emitted} == {name}
    assert await ledger() == Counter(message_id for message_id, _ in messages)


async def test_a_poison_record_is_still_rejected_when_another_message_of_its_batch_fails(
    topic, name, fetch, make_consumer, ledger
) -> None:
    (good, good_value), (bad, bad_value) = message("good"), message("bad")
    poison = b"not json at all"
    records = await fetch(good_value, poison, bad_value)
    subscription = Ledger(topic, name)
    subscription.fail_always[bad] = ValueError("boom")

    await make_consumer(subscription).process(records)

    assert await ledger() == Counter({good: 1, content_id(poison): 1})


@pytest.fixture
def case_events(name):
    """CaseEvents handling Routed only; each handled event is a ledger row noting its department."""
    seen: list[tuple[Envelope, Routed]] = []

    async def on_routed(unit: Unit, run: list[tuple[Envelope, Routed]]) -> None:
        for envelope, event in run:
            seen.append((envelope, event))
            await write_ledger(unit, name, envelope.event_id, event.department)

    return CaseEvents({Routed: on_routed}), seen


async def test_case_events_skips_an_event_type_it_has_no_handler_for(
    sessions, name, fetch, make_consumer, ledger, dead_letters, case_events
) -> None:
    resolved = envelope("Resolved", Resolved(
        department="licensing", outcome="completed", public_reply="Done.", officer_id="officer-7"
    ).model_dump(mode="json"))
    routed = envelope("Routed", routed_data())
    records = await fetch(resolved.model_dump_json().encode(), routed.model_dump_json().encode())
    subscription, seen = case_events
    consumer = make_consumer(subscription)

    await consumer.process(records)

    assert [(e.event_id, event) for e, event in seen] == [(routed.event_id, Routed(**routed_data()))]
    assert await ledger() == Counter({routed.event_id: 1})
    assert await inbox_of(sessions, name) == {routed.event_id}  # skipped without a trace
    assert await dead_letters() == []
    assert (consumer.applied, consumer.ignored, consumer.dead_lettered) == (1, 0, 0)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (envelope("Routed", routed_data(department=None)).model_dump_json(), "Routed v1: department"),
        (json.dumps({"type": "Routed", "version": 1, "data": routed_data()}), "sequence"),
    ],
    ids=["invalid-event-data", "incomplete-envelope"],
)
async def test_case_events_dead_letters_an_invalid_handled_event_naming_the_field(
    name, fetch, make_consumer, ledger, dead_letters, case_events, body: str, named: str
) -> None:
    valid = envelope("Routed", routed_data(department="transport"))
    records = await fetch(body.encode(), valid.model_dump_json().encode())
    consumer = make_consumer(case_events[0])

    await consumer.process(records)

    [dead] = await dead_letters(1)
    assert dead.value == body.encode()
    assert named in headers_of(dead)[REASON_HEADER]
    assert await ledger() == Counter({valid.event_id: 1})
    assert (consumer.applied, consumer.dead_lettered) == (1, 1)
