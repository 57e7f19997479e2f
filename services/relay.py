"""Publish what the outbox holds to Kafka, in order, batched, woken by LISTEN/NOTIFY."""

import asyncio
import json
from collections.abc import Callable

import psycopg
import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.envelope import CHAIN_HASH_HEADER, CONTENT_HASH_HEADER, TYPE_HEADER
from services.backoff import Backoff
from services.tables import outbox
from services.tasks import stopping

log = structlog.get_logger()

CHANNEL = "tawasul_outbox"
RELAY_LOCK = 0x7A5A_0001
"""Advisory lock key: one active relay per service database, however many replicas run."""


NEXT_BATCH = text(
    """
    SELECT o.position, e.topic, e.key, e.envelope, e.headers, e.content_hash, e.chain_hash
    FROM (SELECT position FROM outbox ORDER BY position LIMIT :limit) AS o
    -- One index lookup per queued row, whatever the statistics say: LIMIT keeps the planner from
    -- flattening this into a hash or merge join that reads the whole store.
    CROSS JOIN LATERAL (
        SELECT topic, key, envelope, headers, content_hash, chain_hash FROM event_store WHERE position = o.position
        LIMIT 1
    ) AS e
    ORDER BY o.position
    """
)
"""The oldest queued events, in position order."""


class Relay:
    """At-least-once publisher of the outbox; consumers' inboxes make it exactly-once in effect."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        listen_dsn: str,
        topic_name: Callable[[str], str],
        batch_size: int = 1000,
        poll_interval_s: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._producer = producer
        self._listen_dsn = listen_dsn
        self._topic_name = topic_name
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._listening = asyncio.Event()
        self.published = 0

    async def pending(self) -> int:
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(outbox)) or 0)

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name="relay-listen")
        try:  # listen before the first look, so no commit slips between them unnoticed
            async with asyncio.timeout(self._poll_interval_s * 5):
                await self._listening.wait()
        except TimeoutError:
            log.warning("relay.not_listening", fallback="polling")
        backoff = Backoff()
        try:
            while not stopping():
                try:
                    sent = await self.publish_once()
                    backoff.reset()
                except Exception as error:  # noqa: BLE001 - broker or database away: wait and retry
                    delay = backoff.next()
                    log.warning("relay.retry", error=repr(error), in_s=round(delay, 2))
                    await asyncio.sleep(delay)
                    continue
                if sent < self._batch_size:
                    await self._sleep()
        finally:
            listener.cancel()

    async def publish_once(self) -> int:
        """Publish one batch and drop it from the outbox, all in one transaction; 0 if another relay is active."""
        async with self._sessions.begin() as session:
            if not await session.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK))):
                return 0
            rows = (await session.execute(NEXT_BATCH, {"limit": self._batch_size})).all()
            if not rows:
                return 0
            sends = [
                await self._producer.send(
                    self._topic_name(row.topic),
                    json.dumps(row.envelope, ensure_ascii=False, separators=(",", ":")).encode(),
                    key=row.key.encode(),
                    headers=[(TYPE_HEADER, row.envelope["type"].encode()),
                             (CONTENT_HASH_HEADER, row.content_hash.hex().encode()),
                             (CHAIN_HASH_HEADER, row.chain_hash.hex().encode()),
                             *((name, value.encode()) for name, value in row.headers.items())],
                )
                for row in rows
            ]
            await asyncio.gather(*sends)
            await session.execute(delete(outbox).where(outbox.c.position.in_([row.position for row in rows])))
        self.published += len(rows)
        return len(rows)

    async def _sleep(self) -> None:
        try:
            async with asyncio.timeout(self._poll_interval_s):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    async def _listen(self) -> None:
        backoff = Backoff()
        while not stopping():
            try:
                async with await psycopg.AsyncConnection.connect(self._listen_dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    backoff.reset()
                    async for _ in conn.notifies():
                        self._wake.set()
            except psycopg.Error as error:
                delay = backoff.next()
                log.warning("relay.listen_retry", error=repr(error), in_s=round(delay, 2))
                await asyncio.sleep(delay)
