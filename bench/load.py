"""The load a portal offers a running system, and what the benchmark sees of it from outside.

A `Portal` publishes realistic submissions (`tests.samples`: every one valid, with its sub-service's required
attachments, for the demo household `tawasul up` puts in the registry) to `tawasul.submissions` with a plain
Kafka producer. What follows is read where a user would see it:

- visible in casework's queue: the case's row in casework's `queue` read model once it has its department (what
  an officer's queue lists), polled by correlation id;
- e-mail and SMS accepted: notify's `notifications` rows, `finished_at` set when the provider accepted
  the message;
- hops: the Kafka timestamps of `RequestSubmitted` and `Routed` on `tawasul.case-events` (when each service's
  relay published them), and, where the system writes spans, each service's consumer span.
"""

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy.engine import make_url

from contracts import topics
from contracts.envelope import TYPE_HEADER
from intake.handlers import correlation_of
from tests import samples

POLL_S = 0.01


@dataclass(frozen=True)
class Offered:
    """Submissions published: each one's correlation id and the wall-clock time (s) it was handed to Kafka."""

    at: dict[uuid.UUID, float]

    @property
    def first(self) -> float:
        return min(self.at.values())

    @property
    def last(self) -> float:
        return max(self.at.values())


class Portal:
    def __init__(self, bootstrap: str, partitions: int) -> None:
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=1024 * 1024,
                                         max_request_size=32 * 2**20)
        self.partitions = partitions
        self.serial = 0

    async def __aenter__(self) -> "Portal":
        await self.producer.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.producer.stop()

    def bodies(self, n: int) -> list[dict]:
        made = [samples.submission(self.serial + i, submission_id=f"bench-{uuid.uuid4().hex}") for i in range(n)]
        self.serial += n
        return made

    async def offer(self, n: int, rate: float | None, into: Offered | None = None) -> Offered:
        """Publish n submissions at once (`rate` None) or `rate` a second, in twenty chunks a second, noting each
        one's time in `into` as it goes (so a watcher can follow)."""
        offered = into or Offered({})
        bodies = [(body["submission_id"].encode(), json.dumps(body, ensure_ascii=False).encode())
                  for body in self.bodies(n)]
        chunk = n if rate is None else max(1, int(rate / 20))
        started = time.monotonic()
        for start in range(0, n, chunk):
            if rate is not None:
                await asyncio.sleep(max(0.0, started + start / rate - time.monotonic()))
            now = time.time()
            sends = []
            for key, value in bodies[start:start + chunk]:
                sends.append(await self.producer.send(topics.SUBMISSIONS, value, key=key))
                offered.at[correlation_of(key.decode()).correlation_id] = now
            await asyncio.gather(*sends)
        return offered


class Stores:
    """Plain connections to casework's and notify's databases, as an operator's query would be."""

    def __init__(self, database_url: str) -> None:
        self.base = make_url(database_url).set(drivername="postgresql")
        self.connections: dict[str, psycopg.AsyncConnection] = {}

    async def __aenter__(self) -> "Stores":
        for name in ("casework", "notify", "intake", "routing"):
            url = self.base.set(database=name).render_as_string(hide_password=False)
            self.connections[name] = await psycopg.AsyncConnection.connect(url, autocommit=True)
        return self

    async def __aexit__(self, *exc) -> None:
        for connection in self.connections.values():
            await connection.close()

    async def rows(self, service: str, sql: str, *params) -> list[tuple]:
        async with self.connections[service].cursor() as cursor:
            await cursor.execute(sql, params)
            return await cursor.fetchall()

    async def visible(self, correlations: list[uuid.UUID]) -> list[uuid.UUID]:
        """Those of `correlations` an officer's queue lists now (routed to a department)."""
        return [row[0] for row in await self.rows(
            "casework", "SELECT correlation_id FROM queue WHERE correlation_id = ANY(%s) AND department IS NOT NULL",
            correlations)]

    async def count_visible(self, correlations: list[uuid.UUID]) -> int:
        return (await self.rows(
            "casework", "SELECT count(*) FROM queue WHERE correlation_id = ANY(%s) AND department IS NOT NULL",
            correlations))[0][0]

    async def unsettled(self) -> int:
        """Notifications notify has still to send (pending or being sent)."""
        return (await self.rows("notify", "SELECT count(*) FROM notifications WHERE status IN ('pending', "
                                          "'sending')"))[0][0]

    async def sent(self, correlations: list[uuid.UUID]) -> list[tuple[uuid.UUID, str, str, datetime]]:
        """(correlation, event type, channel, accepted at) of every notification sent for `correlations`."""
        return await self.rows("notify", """
            SELECT u.correlation_id, n.event_type, n.channel, n.finished_at
            FROM notifications AS n JOIN updates AS u USING (event_id)
            WHERE n.status = 'sent' AND u.correlation_id = ANY(%s)""", correlations)

    async def stored_events(self) -> int:
        total = 0
        for name in self.connections:
            total += (await self.rows(name, "SELECT count(*) FROM event_store"))[0][0]
        return total


async def watch_visible(stores: Stores, offered: Offered, done: asyncio.Event, timeout_s: float,
                        every_s: float = POLL_S) -> dict[uuid.UUID, float]:
    """The wall-clock time each offered case was first seen in casework's queue, polling every `every_s` while
    the offer goes on (`done` set once it is complete) and until every one is seen."""
    seen: dict[uuid.UUID, float] = {}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pending = [correlation for correlation in list(offered.at) if correlation not in seen]
        if not pending and done.is_set():
            return seen
        polled = time.time()
        for correlation in await stores.visible(pending) if pending else ():
            seen[correlation] = polled
        await asyncio.sleep(every_s)
    pending = set(offered.at) - set(seen)
    if pending:
        raise SystemExit(f"{len(pending)} of {len(seen) + len(pending)} submissions never reached casework's queue "
                         f"in {timeout_s:.0f} s")
    return seen


async def settled(stores: Stores, timeout_s: float = 1800) -> float:
    """Wait until notify has nothing left to send; the wall-clock time it was seen so."""
    deadline = time.monotonic() + timeout_s
    while await stores.unsettled():
        if time.monotonic() > deadline:
            raise SystemExit(f"notify still had messages to send after {timeout_s:.0f} s")
        await asyncio.sleep(0.1)
    return time.time()


class Relayed:
    """The Kafka timestamps (s) of `RequestSubmitted` and `Routed` on the case-events topic, by correlation id,
    read from the end of the log as it was when started."""

    def __init__(self, bootstrap: str, partitions: int) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.partitions = [TopicPartition(topics.CASE_EVENTS, p) for p in range(partitions)]
        self.at: dict[str, dict[uuid.UUID, float]] = {"RequestSubmitted": {}, "Routed": {}}
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> "Relayed":
        await self.consumer.start()
        self.consumer.assign(self.partitions)
        await self.consumer.seek_to_end(*self.partitions)
        for partition in self.partitions:
            await self.consumer.position(partition)
        self._task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        while True:
            for records in (await self.consumer.getmany(timeout_ms=100, max_records=10_000)).values():
                for record in records:
                    kind = dict(record.headers or ()).get(TYPE_HEADER, b"").decode()
                    if kind in self.at:
                        envelope = json.loads(record.value)
                        self.at[kind].setdefault(uuid.UUID(envelope["correlation_id"]), record.timestamp / 1000)

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()
        await self.consumer.stop()


def spans(traces_dir: Path) -> dict[str, list[dict]]:
    """Every consumer span each service wrote, by trace id."""
    by_trace: dict[str, list[dict]] = {}
    for path in traces_dir.glob("*.jsonl"):
        with path.open() as lines:
            for line in lines:
                span = json.loads(line)
                if span.get("kind") == "SpanKind.CONSUMER":
                    span["service"] = path.stem
                    by_trace.setdefault(span["context"]["trace_id"], []).append(span)
    return by_trace
