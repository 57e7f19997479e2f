"""Append events to a service's own store in the caller's transaction; the outbox trigger queues them."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Envelope, Event, topics
from services.integrity import content_hash
from services.tables import event_store
from services.telemetry import context_headers


class ConcurrencyError(Exception):
    """Another transaction appended to the same stream first; reload and decide again."""


def stream_of(topic: str, key: str) -> str:
    """Case events live in the case's stream; any other message in a stream named by its topic and key."""
    return key if topic == topics.CASE_EVENTS else f"{topic}/{key}"


@dataclass(frozen=True)
class Cause:
    """What an emitted event answers: it inherits the correlation id and names its cause."""

    correlation_id: UUID
    causation_id: UUID | None = None

    @classmethod
    def following(cls, envelope: Envelope) -> "Cause":
        return cls(correlation_id=envelope.correlation_id, causation_id=envelope.event_id)


class EventStore:
    """The producing service's append-only log; per-stream optimistic concurrency on (stream, sequence).

    With `expected_version` the store does not read the stream at all: the unique (stream, sequence)
    key refuses a stale writer at insert time, which costs no extra round trip.
    """

    def __init__(self, producer: str) -> None:
        self.producer = producer

    async def version(self, session: AsyncSession, stream: str) -> int:
        current = await session.scalar(
            select(func.coalesce(func.max(event_store.c.sequence), 0)).where(event_store.c.stream == stream)
        )
        return int(current or 0)

    def stamp(self, events: Sequence[Event], *, case_id: str | None, cause: Cause, after: int) -> list[Envelope]:
        """Envelopes for `events`, numbered after sequence `after`."""
        return [
            Envelope(
                type=event.TYPE,
                version=event.VERSION,
                case_id=case_id,
                sequence=after + offset,
                producer=self.producer,
                correlation_id=cause.correlation_id,
                causation_id=cause.causation_id,
                data=event.model_dump(mode="json"),
            )
            for offset, event in enumerate(events, start=1)
        ]

    @staticmethod
    def rows(
        envelopes: Sequence[Envelope], *, topic: str, key: str, trace: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Store rows; `headers` keep the trace context the event was written in (default: the current one)."""
        headers = trace if trace is not None else context_headers()
        stream = stream_of(topic, key)
        return [
            {
                "event_id": envelope.event_id,
                "stream": stream,
                "sequence": envelope.sequence,
                "topic": topic,
                "key": key,
                "type": envelope.type,
                "version": envelope.version,
                "occurred_at": envelope.occurred_at,
                "envelope": document,
                "headers": headers,
                "content_hash": content_hash(stream, document),
            }
            for envelope in envelopes
            for document in (envelope.model_dump(mode="json"),)
        ]

    @staticmethod
    async def write(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows in one statement; a taken (stream, sequence) spoils the transaction as a ConcurrencyError."""
        if not rows:
            return
        try:  # executemany: psycopg pipelines the rows in one round trip
            await session.execute(insert(event_store), list(rows))
        except IntegrityError as error:  # the caller rolls back and decides again
            raise ConcurrencyError(f"a stream is not at the expected version: {error.orig}") from error

    async def append(
        self,
        session: AsyncSession,
        events: Sequence[Event],
        *,
        key: str,
        case_id: str | None,
        cause: Cause,
        expected_version: int | None = None,
    ) -> list[Envelope]:
        """Append `events` (all for one topic and key) now, after `expected_version` (default: the stream's head)."""
        unit = Unit(session, self)
        envelopes = await unit.emit(events, key=key, case_id=case_id, cause=cause, expected_version=expected_version)
        await unit.flush()
        return envelopes

    async def read(self, session: AsyncSession, stream: str) -> list[Envelope]:
        result = await session.execute(
            select(event_store.c.envelope).where(event_store.c.stream == stream).order_by(event_store.c.sequence)
        )
        return [Envelope.model_validate(row) for row in result.scalars()]


def topic_of(events: Sequence[Event]) -> str:
    topic = events[0].TOPIC
    if any(event.TOPIC != topic for event in events):
        raise ValueError("one append goes to one topic")
    return topic


class Unit:
    """One transaction: the handler's read-model changes and the events it emits commit together.

    Emitted events are buffered and written in one statement by `flush()`, just before commit.
    """

    def __init__(self, session: AsyncSession, store: EventStore, *, replaying: bool = False) -> None:
        self.session = session
        self.store = store
        self.replaying = replaying
        """Rebuilding a read model from the log: handlers apply what happened and decide nothing new."""
        self._heads: dict[str, int] = {}
        self._rows: list[dict[str, Any]] = []
        self.traces: dict[Cause, dict[str, str]] = {}
        """Trace context by cause: events emitted for a message continue that message's span."""

    async def emit(
        self,
        events: Sequence[Event],
        *,
        key: str,
        case_id: str | None,
        cause: Cause,
        expected_version: int | None = None,
    ) -> list[Envelope]:
        if not events:
            return []
        if self.replaying:
            raise RuntimeError("a read-model rebuild decides nothing: no events are emitted while replaying")
        topic = topic_of(events)
        stream = stream_of(topic, key)
        head = self._heads.get(stream)
        if head is None:
            head = expected_version if expected_version is not None else await self.store.version(self.session, stream)
        elif expected_version is not None and expected_version != head:  # no retry can change this
            raise ValueError(f"stream {stream} is at {head} in this transaction, not at {expected_version}")
        envelopes = self.store.stamp(events, case_id=case_id, cause=cause, after=head)
        self._heads[stream] = head + len(events)
        self._rows.extend(self.store.rows(envelopes, topic=topic, key=key, trace=self.traces.get(cause)))
        return envelopes

    async def flush(self) -> None:
        rows, self._rows = self._rows, []
        await self.store.write(self.session, rows)


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], store: EventStore, *, replaying: bool = False
) -> AsyncIterator[Unit]:
    """A transaction whose emitted events are flushed to the store before it commits."""
    async with sessions.begin() as session:
        unit = Unit(session, store, replaying=replaying)
        yield unit
        await unit.flush()
