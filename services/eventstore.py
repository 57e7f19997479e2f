"""Append events to a service's own store in the caller's transaction; the outbox trigger queues them."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from opentelemetry import propagate
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope, Event, topics
from services.tables import event_store


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
    """The producing service's append-only log; per-stream optimistic concurrency on (stream, sequence)."""

    def __init__(self, producer: str) -> None:
        self.producer = producer

    async def version(self, session: AsyncSession, stream: str) -> int:
        current = await session.scalar(
            select(func.coalesce(func.max(event_store.c.sequence), 0)).where(event_store.c.stream == stream)
        )
        return int(current or 0)

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
        """Append `events` (all for one topic and key) after `expected_version` (default: whatever is there)."""
        if not events:
            return []
        topic = events[0].TOPIC
        if any(event.TOPIC != topic for event in events):
            raise ValueError("one append goes to one topic")
        stream = stream_of(topic, key)
        current = await self.version(session, stream)
        if expected_version is not None and current != expected_version:
            raise ConcurrencyError(f"stream {stream} is at {current}, expected {expected_version}")
        headers: dict[str, str] = {}
        propagate.inject(headers)
        envelopes = [
            Envelope(
                type=event.TYPE,
                version=event.VERSION,
                case_id=case_id,
                sequence=current + offset,
                producer=self.producer,
                correlation_id=cause.correlation_id,
                causation_id=cause.causation_id,
                data=event.model_dump(mode="json"),
            )
            for offset, event in enumerate(events, start=1)
        ]
        rows = [
            {
                "event_id": envelope.event_id,
                "stream": stream,
                "sequence": envelope.sequence,
                "topic": topic,
                "key": key,
                "type": envelope.type,
                "version": envelope.version,
                "occurred_at": envelope.occurred_at,
                "envelope": envelope.model_dump(mode="json"),
                "headers": headers,
            }
            for envelope in envelopes
        ]
        try:
            await session.execute(insert(event_store), rows)
        except IntegrityError as error:  # the transaction is spoilt: the caller rolls back and retries
            raise ConcurrencyError(f"stream {stream} moved past {current}") from error
        return envelopes

    async def read(self, session: AsyncSession, stream: str) -> list[Envelope]:
        result = await session.execute(
            select(event_store.c.envelope).where(event_store.c.stream == stream).order_by(event_store.c.sequence)
        )
        return [Envelope.model_validate(row) for row in result.scalars()]
