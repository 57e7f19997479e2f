"""Rebuild a service's read models from the log, prove them equal to the live ones, and swap them in.

1. Every topic the read models come from is read from its first offset to its end and folded, in each
   partition's order, through the read models' own `Projection.fold`, in memory; a message the log holds twice
   is folded once; one that cannot be decoded is skipped and reported with its reason.
2. The rows are written with COPY into fresh tables (`CREATE TABLE … (LIKE … INCLUDING ALL)`, in the schema
   `tawasul_rebuild`) while the service keeps serving, and writing, the live ones.
3. Under a lock that holds the live tables' writers (never their readers), what reached the log since is
   folded too, and the rebuilt read model is compared with the live one and with the stores: the tallies of
   applied events (`services.tally`) must be equal, every case event of the read model's types that a store
   holds must have been applied (else the log lacks it: reconcile first), and the tables are compared by
   checksums over key ranges (`services.tablediff`). While the live consumer is behind the log, or the relays
   behind the stores, the lock is let go and the comparison tried again a moment later.
4. Only when all of it holds are the fresh tables swapped in for the live ones, in that same transaction: the
   live table dropped, the fresh one moved into its place and its indexes given the live ones' names. Rows
   that differ (after a change to a fold) are swapped in only when asked to (`accept_changes`); a tally that
   differs, or events missing, never are.

Nothing here can emit an event or send a message: the rebuild decodes messages and folds them with pure
functions, and writes only the fresh tables; it has no unit of work, no event store, no outbox and no sender
to reach (the import contracts in pyproject.toml hold it to that).
"""

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import topics
from services import tablediff, tally
from services.app import Service, service_database
from services.consumer import Incoming, Poison, Subscription
from services.kafka import MAX_MESSAGE_BYTES, client_options
from services.projection import Key, Projection, Row
from services.settings import Settings
from services.tally import Tally

log = structlog.get_logger()

SCHEMA = "tawasul_rebuild"
LOCK_TIMEOUT = "5s"
"""How long the swap waits for the live tables' writers before letting go and trying again."""


@dataclass
class Skipped:
    source: str
    """topic/partition/offset"""
    reason: str


@dataclass
class Model:
    """One read model being rebuilt, and what the comparison found."""

    projection: Projection
    rows: dict[Key, Row] = field(default_factory=dict)
    dirty: set[Key] = field(default_factory=set)
    """Keys folded since the fresh table was last written."""
    written: bool = False
    tally: Tally = Tally()
    live: Tally | None = None
    missing: list[UUID] = field(default_factory=list)
    """Case events of its types the stores hold and the log lacks."""
    difference: tablediff.Difference | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    def fold(self, facts: Sequence[Any]) -> None:
        facts = [fact for fact in facts if self.projection.takes(fact)]
        if facts:
            self.projection.fold(facts, self.rows)
            self.dirty.update(self.projection.key(fact) for fact in facts)
            self.tally += Tally.of(self.projection.identity(fact) for fact in facts)


@dataclass
class Rebuilt:
    """What a rebuild did: per read model, what it applied and how it compared; whether it swapped."""

    service: str
    models: list[Model]
    messages: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    """From the start to the fresh tables written."""
    folding_seconds: float = 0.0
    """From the start to the log read and folded."""
    swapped: bool = False
    refused: str | None = None

    @property
    def applied(self) -> int:
        return sum(model.tally.applied for model in self.models)

    def lines(self) -> list[str]:
        rate = self.messages / self.seconds if self.seconds else 0.0
        out = [f"{self.service}: {self.messages} messages of the log read and folded in {self.folding_seconds:.1f} s, "
               f"written in {self.seconds - self.folding_seconds:.1f} s more ({rate:,.0f}/s); {self.duplicates} "
               f"repeated, {len(self.skipped)} skipped"]
        out += [f"  skipped {skip.source}: {skip.reason}" for skip in self.skipped[:20]]
        for model in self.models:
            live = "not compared" if model.live is None else str(model.live)
            out.append(f"  {model.name}: rebuilt {model.tally}; live {live}")
            if model.missing:
                out.append(f"    {len(model.missing)} events the stores hold are not on the log, e.g. "
                           + ", ".join(str(event_id) for event_id in model.missing[:3]))
            if (d := model.difference) is not None:
                out.append(f"    rows: live {d.rows[0]}, rebuilt {d.rows[1]}; " + (
                    f"equal ({d.ranges} range checksums)" if d.equal else
                    f"{d.count} differ: {len(d.only_left)} only live, {len(d.only_right)} only rebuilt, "
                    f"{len(d.changed)} changed"))
                for label, keys in (("only live", d.only_left), ("only rebuilt", d.only_right),
                                    ("changed", d.changed)):
                    if keys:
                        out.append(f"      {label}: " + ", ".join(
                            _key(key) + (f" ({', '.join(d.columns[key])})" if key in d.columns else "")
                            for key in keys[:tablediff.SHOWN]))
        out.append(f"{self.service}: swapped in; nothing emitted, nothing sent" if self.swapped
                   else f"{self.service}: NOT swapped: {self.refused}")
        return out


def _key(key: Key) -> str:
    return "/".join(str(part) for part in key)


class Log:
    """The topics the read models come from, read from their beginning (no consumer group, nothing committed)."""

    def __init__(self, settings: Settings, subscriptions: Sequence[Subscription]) -> None:
        self._settings = settings
        self._by_topic = {settings.topic(subscription.topic): subscription for subscription in subscriptions}
        self._consumer = AIOKafkaConsumer(**client_options(settings), bootstrap_servers=settings.kafka_bootstrap,
                                          enable_auto_commit=False, max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
                                          fetch_max_bytes=64 * 1024 * 1024)
        self._partitions: list[TopicPartition] = []
        self.seen: set[UUID] = set()

    async def __aenter__(self) -> "Log":
        await self._consumer.start()
        self._partitions = [TopicPartition(name, p) for name in self._by_topic for p in sorted(
            self._consumer.partitions_for_topic(name) or range(self._settings.topic_partitions))]
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_beginning(*self._partitions)
        return self

    async def __aexit__(self, *_) -> None:
        await self._consumer.stop()

    async def read(self, rebuilt: Rebuilt, models: Mapping[str, Sequence[Model]]) -> None:
        """Fold everything up to the end of each partition (its high watermark, as the last fetch saw it: the
        embedded broker's `end_offsets` understates it)."""
        while True:
            fetched = await self._consumer.getmany(timeout_ms=200, max_records=20_000)
            for partition, records in fetched.items():
                facts = []
                for record in records:
                    rebuilt.messages += 1
                    item = self._decoded(self._by_topic[partition.topic], record, rebuilt)
                    if item is None:
                        continue
                    if item.message_id in self.seen:
                        rebuilt.duplicates += 1
                        continue
                    self.seen.add(item.message_id)
                    facts.append(item.body)
                for model in models[partition.topic]:
                    model.fold(facts)
            if not any(fetched.values()) and await self._at_end():
                return

    async def _at_end(self) -> bool:
        for partition in self._partitions:
            end = self._consumer.highwater(partition)
            if end is not None and await self._consumer.position(partition) < end:
                return False
        return True

    @staticmethod
    def _decoded(subscription: Subscription, record, rebuilt: Rebuilt) -> Incoming | None:
        try:
            return subscription.decode(record)
        except Poison as error:
            rebuilt.skipped.append(Skipped(f"{record.topic}/{record.partition}/{record.offset}", error.reason))
            log.warning("rebuild.skipped", topic=record.topic, partition=record.partition, offset=record.offset,
                        reason=error.reason)
            return None


async def rebuild(service: Service, settings: Settings, stores: Mapping[str, async_sessionmaker[AsyncSession]],
                  *, accept_changes: bool = False, wait_s: float = 60.0) -> Rebuilt:
    """Rebuild `service`'s read models (see the module docstring); `stores`: every service's database, by name,
    for the case events they hold."""
    subscriptions = service.read_models()
    by_topic: dict[str, list[Model]] = {}
    models: list[Model] = []
    for subscription in subscriptions:
        for projection in subscription.projections:
            model = Model(projection)
            models.append(model)
            by_topic.setdefault(settings.topic(subscription.topic), []).append(model)
    if not models:
        raise ValueError(f"{service.name} declares no read model to rebuild")
    rebuilt = Rebuilt(service.name, models)
    started = time.perf_counter()
    async with service_database(service, settings) as sessions, Log(settings, subscriptions) as source:
        await source.read(rebuilt, by_topic)
        rebuilt.folding_seconds = time.perf_counter() - started
        async with sessions.begin() as session:
            await _fresh_tables(session, models)
            for model in models:
                await _write(session, model)
        rebuilt.seconds = time.perf_counter() - started
        deadline = time.monotonic() + wait_s
        while True:
            async with sessions.begin() as session:
                waiting = await _compare(session, rebuilt, source, by_topic, stores, accept_changes)
                if waiting is None:
                    await _swap(session, models)
                    rebuilt.swapped = True
                    break
                if time.monotonic() > deadline or not waiting[0]:
                    rebuilt.refused = waiting[1]
                    await session.rollback()
                    break
                await session.rollback()
            await asyncio.sleep(0.25)
        async with sessions.begin() as session:
            await session.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    log.info("rebuild.done", service=service.name, messages=rebuilt.messages, applied=rebuilt.applied,
             swapped=rebuilt.swapped, refused=rebuilt.refused)
    return rebuilt


async def _compare(session: AsyncSession, rebuilt: Rebuilt, source: Log, by_topic: Mapping[str, Sequence[Model]],
                   stores: Mapping[str, async_sessionmaker[AsyncSession]],
                   accept_changes: bool) -> tuple[bool, str] | None:
    """None when the rebuilt read models may be swapped in; else (whether waiting may help, why not)."""
    models = rebuilt.models
    await session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    tables = ", ".join(f'"{model.name}"' for model in models)
    try:
        await session.execute(text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
    except Exception as error:  # noqa: BLE001 - a writer held on: try again
        return True, f"the live tables stayed busy ({error.__class__.__name__})"
    await source.read(rebuilt, by_topic)
    for model in models:
        await _write(session, model)
    live = await tally.read(session, [model.name for model in models])
    held = await _stored(stores, models)
    for model in models:
        model.live = live[model.name]
        model.missing = sorted(event_id for event_id in held.get(model.name, ()) if event_id not in source.seen)
    if missing := sum(len(model.missing) for model in models):
        return True, (f"{missing} events the stores hold are not on the log (a relay behind, or a broker that "
                      "lost its log): run `tawasul audit reconcile --republish`, then rebuild")
    for model in models:
        if model.tally.applied < model.live.applied:
            return True, (f"{model.name}: the log holds fewer events than the live model applied: run "
                          "`tawasul audit reconcile --republish` (or have the topic's owner publish it again), "
                          "then rebuild")
    if differing := [model.name for model in models if model.tally != model.live]:
        if unseen := await _unseen(session, rebuilt.service, source.seen):
            return True, f"the live consumer has yet to apply {unseen} messages the log holds (it is behind)"
    for model in models:
        key = [column.name for column in model.projection.table.primary_key.columns]
        model.difference = await tablediff.compare(
            session, tablediff.Tables(left=f'"{model.name}"', right=f'{SCHEMA}."{model.name}"', key=key))
    if differing and not accept_changes:
        return False, (f"{', '.join(differing)}: the live model saw every message the rebuild applied, yet its tally "
                       "is another (a read model new to the service, or older than tallies): compare the rows, "
                       "then --accept-changes swaps the rebuilt ones in with their tally")
    if not accept_changes and any(not model.difference.equal for model in models):
        return False, "the rebuilt rows differ from the live ones (after a change to a fold, --accept-changes " \
                      "swaps them in)"
    return None


async def _unseen(session: AsyncSession, service: str, seen: set[UUID]) -> int:
    """How many of the messages the rebuild folded the live consumer has neither applied (its inbox) nor
    emitted itself (its store)."""
    known = set((await session.execute(text("SELECT message_id FROM inbox WHERE consumer = :consumer"),
                                        {"consumer": service})).scalars())
    known.update((await session.execute(text("SELECT event_id FROM event_store"))).scalars())
    return len(seen - known)


async def _stored(stores: Mapping[str, async_sessionmaker[AsyncSession]],
                  models: Sequence[Model]) -> dict[str, set[UUID]]:
    """By read model of the case log: the ids of the case events of its types that the stores hold (each store
    read once for all of them)."""
    wanted = [model for model in models if model.projection.types]  # the others' messages no store holds
    types = sorted(set().union(*(model.projection.types for model in wanted)))
    by_type: dict[str, set[UUID]] = {}
    for sessions in stores.values():
        async with sessions() as session:
            for event_id, type_ in await session.execute(
                    text("SELECT event_id, type FROM event_store WHERE topic = :topic AND type = ANY(:types)"),
                    {"topic": topics.CASE_EVENTS, "types": types}):
                by_type.setdefault(type_, set()).add(event_id)
    return {model.name: set().union(*(by_type.get(type_, ()) for type_ in model.projection.types))
            for model in wanted}


async def _fresh_tables(session: AsyncSession, models: Sequence[Model]) -> None:
    await session.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    await session.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    for model in models:
        await session.execute(text(f'CREATE TABLE {SCHEMA}."{model.name}" (LIKE "{model.name}" INCLUDING ALL)'))


async def _write(session: AsyncSession, model: Model) -> None:
    """Write the rows folded since the last write into the fresh table: COPY what is new, replace the rest."""
    if not model.dirty:
        return
    columns = [column.name for column in model.projection.table.columns]
    names = ", ".join(f'"{name}"' for name in columns)
    table = f'{SCHEMA}."{model.name}"'
    keys = [column.name for column in model.projection.table.primary_key.columns]
    if model.written:  # a second pass: the rows it changes go first
        dialect = postgresql.dialect()
        primary = list(model.projection.table.primary_key.columns)
        arrays = ", ".join(f"CAST(:k{i} AS {c.type.compile(dialect=dialect)}[])" for i, c in enumerate(primary))
        match = " AND ".join(f't."{name}" = k."{name}"' for name in keys)
        dirty = list(model.dirty)
        await session.execute(
            text(f"DELETE FROM {table} AS t USING unnest({arrays}) AS k ({', '.join(keys)}) WHERE {match}"),
            {f"k{i}": [key[i] for key in dirty] for i in range(len(keys))})
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    typed = dict((await session.execute(text(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 "
        "AND NOT attisdropped"), {"table": table})).tuples().all())
    types = [typed[name] for name in columns]
    async with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        copy.set_types(list(types))
        for key in model.dirty:
            row = model.rows.get(key)
            if row is not None:
                await copy.write_row([row.get(name) for name in columns])
    model.dirty.clear()
    model.written = True
    await session.execute(text(f"ANALYZE {table}"))


INDEXES = text(
    r"""
    SELECT c.relname, regexp_replace(pg_get_indexdef(i.indexrelid), '^(CREATE (UNIQUE )?INDEX )\S+ ON \S+', '\1')
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = CAST(:table AS regclass)
    """
)
"""A table's indexes: name, and definition without the names in it."""


async def _swap(session: AsyncSession, models: Sequence[Model]) -> None:
    """Put each fresh table in the live one's place, under the live one's index names; a live model that kept no
    tally takes the rebuilt one's."""
    for model in models:
        table = f'public."{model.name}"'
        names = {definition: name for name, definition in await session.execute(INDEXES, {"table": table})}
        await session.execute(text(f"DROP TABLE {table}"))
        await session.execute(text(f'ALTER TABLE {SCHEMA}."{model.name}" SET SCHEMA public'))
        for name, definition in (await session.execute(INDEXES, {"table": table})).all():
            if (wanted := names.get(definition)) is not None and wanted != name:
                await session.execute(text(f'ALTER INDEX public."{name}" RENAME TO "{wanted}"'))
        if model.live != model.tally:
            await tally.replace(session, model.name, model.tally)
