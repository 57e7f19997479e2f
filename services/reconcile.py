"""The log and the stores, compared: every event a service stored is on its topic (`tawasul.case-events`, and
the submission results) with the same content (its hash recomputed from the message, and the hash header where it
has one), and nothing on those topics claims a producer whose store does not hold it. What a store holds and the
log lacks can be queued for its relay again, in the store's order (a case's events keep theirs).

`tawasul audit reconcile` runs it on demand, and `tawasul up` whenever its embedded broker starts with an empty
log (the first start, or after the memory-only broker was lost): then exactly what the stores hold and the log
lacks is published again.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import EVENTS
from contracts.envelope import CONTENT_HASH_HEADER
from services.eventstore import stream_of
from services.integrity import content_hash
from services.kafka import client_options
from services.settings import Settings

STORED_TOPICS = tuple(dict.fromkeys(model.TOPIC for model in EVENTS.values()))
"""The topics the services' stores are published to."""

QUIET_POLLS = 3
"""Empty fetches in a row that end the reading of the topic (each waits up to half a second)."""


@dataclass(frozen=True)
class Published:
    producer: str
    content: bytes
    header: bytes | None


@dataclass
class Reconciled:
    stored: int = 0
    published: int = 0
    missing: dict[str, list[int]] = field(default_factory=dict)
    """Positions, by service, of what its store holds and the topic lacks."""
    differing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Event ids on the topic that the store of the producer they name does not hold."""
    queued: dict[str, int] = field(default_factory=dict)
    """By service: what was queued for its relay again."""

    @property
    def agree(self) -> bool:
        return not (any(self.missing.values()) or self.differing or self.unknown)


async def read_log(bootstrap: str, names: Mapping[str, str], partitions: int, options: Mapping) -> dict[str, Published]:
    """Every event on the topics `names` (the name on the broker → the topic's own name), by event id, from the
    beginning of each partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **options)
    await consumer.start()
    seen: dict[str, Published] = {}
    try:
        assigned = [TopicPartition(name, p) for name in names for p in range(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        quiet = 0
        while quiet < QUIET_POLLS:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            quiet = 0 if any(batches.values()) else quiet + 1
            for records in batches.values():
                for record in records:
                    try:
                        envelope = json.loads(record.value)
                        event_id, producer = str(envelope["event_id"]), str(envelope["producer"])
                    except (ValueError, KeyError, TypeError):
                        continue  # not an envelope at all: nobody's event (the consumers dead-letter it)
                    header = dict(record.headers or ()).get(CONTENT_HASH_HEADER)
                    stream = stream_of(names[record.topic], (record.key or b"").decode(errors="replace"))
                    seen[event_id] = Published(producer, content_hash(stream, envelope),
                                               bytes.fromhex(header.decode()) if header else None)
    finally:
        await consumer.stop()
    return seen


async def stored_events(sessions: async_sessionmaker[AsyncSession]) -> dict[str, tuple[int, bytes]]:
    """The store's events: event id → (position, content hash)."""
    async with sessions() as session:
        rows = await session.execute(text("SELECT event_id::text, position, content_hash FROM event_store"))
        return {event_id: (position, bytes(content)) for event_id, position, content in rows}


def compare(stores: Mapping[str, Mapping[str, tuple[int, bytes]]], log: Mapping[str, Published]) -> Reconciled:
    result = Reconciled(stored=sum(len(events) for events in stores.values()), published=len(log))
    for service, events in stores.items():
        result.missing[service] = sorted(position for event_id, (position, _) in events.items()
                                         if event_id not in log)
        result.differing += [event_id for event_id, (_, content) in events.items() if event_id in log and (
            log[event_id].content != content or log[event_id].header not in (None, content))]
    for event_id, published in log.items():
        if event_id not in stores.get(published.producer, {}):  # a forgery names a producer, or none of ours
            result.unknown.append(event_id)
    return result


async def republish(sessions: async_sessionmaker[AsyncSession], positions: list[int]) -> int:
    """Queue `positions` for the relay again, which publishes in position order (a case's own order)."""
    if not positions:
        return 0
    async with sessions.begin() as session:
        queued = await session.execute(text("INSERT INTO outbox (position) SELECT unnest(CAST(:positions AS "
                                             "bigint[])) ON CONFLICT DO NOTHING"), {"positions": positions})
    return queued.rowcount


async def reconcile(settings: Settings, databases: Mapping[str, async_sessionmaker[AsyncSession]], *,
                    again: bool) -> Reconciled:
    """Compare the log with every store (`databases`, by service); with `again`, queue what the log lacks for each
    store's relay (`Reconciled.queued` counts it)."""
    stores = {name: await stored_events(sessions) for name, sessions in databases.items()}
    log = await read_log(settings.kafka_bootstrap, {settings.topic(name): name for name in STORED_TOPICS},
                         settings.topic_partitions, client_options(settings))
    result = compare(stores, log)
    if again:
        for name, positions in result.missing.items():
            result.queued[name] = await republish(databases[name], positions)
    return result
