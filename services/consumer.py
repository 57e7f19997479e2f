"""Batch consumption with an inbox: a batch's effects and its inbox rows commit in one transaction.

Commit discipline: Kafka offsets are committed only after the batch's transaction commits (and
its dead letters are published), so a crash anywhere redelivers and the inbox absorbs repeats.
Transient failures (database or broker away, a concurrent append) are retried with backoff for
as long as it takes; a message that cannot be decoded, or whose handler keeps failing on its own,
goes to `<topic>.dlq` with the reason and its original bytes, and the consumer goes on.
"""

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import Span, StatusCode
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import topics
from contracts.topics import CONSUMER_HEADER, REASON_HEADER, SOURCE_HEADER
from services.backoff import Backoff
from services.eventstore import Cause, ConcurrencyError, EventStore, Unit, unit_of_work
from services.logging import mask
from services.projection import Projection
from services.tables import inbox
from services.telemetry import context_headers, message_span

log = structlog.get_logger()
T = TypeVar("T")

HANDLER_ATTEMPTS = 3
CONFLICT_ATTEMPTS = 5
"""A concurrent append is retried; one that conflicts this often is a handler bug and is dead-lettered."""


CLAIM = insert(inbox).on_conflict_do_nothing().returning(inbox.c.message_id)


class Poison(Exception):
    """This message can never be applied; `reason` says why (field and rule where there is one)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def content_id(value: bytes | None) -> UUID:
    """A message id for payloads that carry none: the same bytes are the same message."""
    return uuid5(NAMESPACE_URL, "sha256:" + hashlib.sha256(value or b"").hexdigest())


def validation_reason(error: ValidationError) -> str:
    """Every problem pydantic found, as `field: rule` pairs."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or '(message)'}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    )


def is_transient(error: BaseException) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | ConcurrencyError | KafkaError | OSError | TimeoutError)


@dataclass(frozen=True)
class Incoming:
    """A decoded message: its id for the inbox, what the handler gets, and what its effects are caused by."""

    record: ConsumerRecord
    message_id: UUID
    body: Any
    cause: Cause


class Subscription:
    """What a service does with one topic. Subclasses decode records and apply them."""

    topic: str = topics.CASE_EVENTS
    projections: tuple[Projection, ...] = ()
    """The read models its handlers fold messages into."""

    def decode(self, record: ConsumerRecord) -> Incoming | None:
        """The message, or None when it is not for this service; raise Poison when it is unreadable."""
        raise NotImplementedError

    async def handle(self, unit: Unit, incoming: Incoming) -> None:
        raise NotImplementedError

    async def handle_batch(self, unit: Unit, items: Sequence[Incoming]) -> None:
        """Apply fresh messages in order; override with set-based SQL where throughput needs it."""
        for item in items:
            await self.handle(unit, item)

    async def reject(self, unit: Unit, record: ConsumerRecord, reason: str) -> None:
        """Answer a poison message where the contract asks for an answer (default: nothing)."""


class BatchConsumer:
    """One service's consumer: its subscriptions by (namespaced) topic name, one inbox, one transaction a batch."""

    def __init__(
        self,
        *,
        name: str,
        subscriptions: Mapping[str, Subscription],
        sessions: async_sessionmaker[AsyncSession],
        store: EventStore,
        producer: AIOKafkaProducer,
    ) -> None:
        self.name = name
        self._subscriptions = dict(subscriptions)
        self._sessions = sessions
        self._store = store
        self._producer = producer
        self.applied = 0
        self.ignored = 0
        self.dead_lettered = 0

    async def process(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply a fetched batch; returns only once every record is applied, ignored or dead-lettered."""
        items: list[Incoming] = []
        poison: list[tuple[ConsumerRecord, str]] = []
        for record in records:
            try:
                item = self._subscriptions[record.topic].decode(record)
            except Poison as error:
                poison.append((record, error.reason))
                continue
            if item is not None:
                items.append(item)
        if poison:
            await self._retrying(lambda: self._dead_letter(poison))
        try:
            await self._retrying(lambda: self._apply(items, poison))
        except Exception as error:  # noqa: BLE001 - a bad message spoilt the batch: go one by one
            log.warning("consumer.batch_failed", consumer=self.name, error=repr(error), size=len(items))
            if poison:  # their answers were rolled back with the batch
                await self._retrying(lambda: self._apply([], poison))
            for item in items:
                await self._apply_alone(item)

    async def _apply(self, items: Sequence[Incoming], poison: Sequence[tuple[ConsumerRecord, str]]) -> None:
        spans: list[Span] = []
        try:
            rejects = [(content_id(record.value), record, reason) for record, reason in poison]
            async with unit_of_work(self._sessions, self._store) as unit:
                fresh = await self._claim(unit.session, [i.message_id for i in items] + [m for m, _, _ in rejects])
                for message_id, record, reason in rejects:
                    if message_id in fresh:
                        fresh.discard(message_id)
                        await self._subscriptions[record.topic].reject(unit, record, reason)
                batches: dict[str, list[Incoming]] = {}
                for item in items:
                    if item.message_id not in fresh:
                        log.info("consumer.ignored_duplicate", consumer=self.name, message_id=str(item.message_id))
                        continue
                    fresh.discard(item.message_id)
                    batches.setdefault(item.record.topic, []).append(item)
                    span = message_span(item.record, self.name)
                    spans.append(span)
                    unit.traces[item.cause] = context_headers(span)
                for topic in self._subscriptions:  # in the service's order: reference data before what uses it
                    if topic in batches:
                        await self._subscriptions[topic].handle_batch(unit, batches[topic])
                applied = sum(len(fresh_items) for fresh_items in batches.values())
        except BaseException as error:
            for span in spans:
                span.record_exception(error)
                span.set_status(StatusCode.ERROR)
            raise
        finally:
            for span in spans:
                span.end()
        self.applied += applied
        self.ignored += len(items) - applied

    async def _apply_alone(self, item: Incoming) -> None:
        for attempt in range(1, HANDLER_ATTEMPTS + 1):
            try:
                await self._retrying(lambda: self._apply([item], []))
                return
            except Poison as error:
                reason = error.reason
                break
            except Exception as error:  # noqa: BLE001 - counted, then dead-lettered
                reason = mask(f"handler failed after {attempt} attempts: {error!r}")  # an error may quote data
                log.warning("consumer.handler_failed", consumer=self.name, attempt=attempt, error=repr(error))
        await self._retrying(lambda: self._dead_letter([(item.record, reason)]))
        await self._retrying(lambda: self._mark_dead(item.message_id))

    async def _mark_dead(self, message_id: UUID) -> None:
        async with self._sessions.begin() as session:
            await self._claim(session, [message_id])

    async def _claim(self, session: AsyncSession, ids: list[UUID]) -> set[UUID]:
        """Insert inbox rows; return the ids not seen before (a concurrent claimer waits for us, then skips)."""
        if not ids:
            return set()
        rows = [{"consumer": self.name, "message_id": message_id} for message_id in dict.fromkeys(ids)]
        claimed = await session.execute(CLAIM, rows)  # one cached statement, rows batched by insertmanyvalues
        return set(claimed.scalars())

    async def _dead_letter(self, poison: Sequence[tuple[ConsumerRecord, str]]) -> None:
        sends = []
        for record, reason in poison:
            log.warning("consumer.dead_letter", consumer=self.name, topic=record.topic,
                        partition=record.partition, offset=record.offset, reason=reason)
            headers = list(record.headers or ()) + [
                (REASON_HEADER, reason.encode()),
                (SOURCE_HEADER, f"{record.topic}/{record.partition}/{record.offset}".encode()),
                (CONSUMER_HEADER, self.name.encode()),
            ]
            sends.append(await self._producer.send(
                topics.dead_letters(record.topic), record.value, key=record.key, headers=headers
            ))
        await asyncio.gather(*sends)
        self.dead_lettered += len(poison)

    async def _retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Retry transient failures for as long as it takes; a conflict that keeps recurring is not transient."""
        backoff = Backoff()
        conflicts = 0
        while True:
            try:
                return await attempt()
            except Exception as error:
                if not is_transient(error):
                    raise
                conflicts += isinstance(error, ConcurrencyError)
                if conflicts >= CONFLICT_ATTEMPTS:
                    raise
                delay = backoff.next()
                log.warning("consumer.retry", consumer=self.name, error=repr(error), in_s=round(delay, 2))
                await asyncio.sleep(delay)
