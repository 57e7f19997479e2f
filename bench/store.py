"""`make bench` (store): Tawasul's event store beside the `eventsourcing` library's PostgreSQL recorder.

The same work on one PostgreSQL, in two databases of its own: W concurrent writers append the events of new
cases, each case one transaction of 10 events of about 500 bytes of JSON data (an officer's note). Tawasul's side
is `EventStore.append` inside `sessions.begin()`, as a service's consumers do it: asyncio tasks on one event loop,
envelopes stamped and hashed, the chain, the outbox, the sealing queue and the relay's wake-up all in the
transaction. The peer is what an `eventsourcing` 9.x application writes through on PostgreSQL: its
`PostgresApplicationRecorder` (a stored event per aggregate version, the primary key as the optimistic
concurrency guard, a notification id for the application's log and a NOTIFY), given the same envelope bytes as
`StoredEvent` state, 10 per aggregate per `insert_events`, from W threads (it is a sync library) over a pool of W
connections. Rounds alternate between the two after a warm-up, so the machine's noise falls on both; the
medians and the ratio Tawasul ÷ peer are printed.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import sql
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts import NoteAdded
from services import db, migrations
from services.eventstore import Cause, EventStore
from tawasul import system
from tests.infra import provide_infra

EVENTS_PER_CASE = 10
DATA_BYTES = 500
NOTE = "اتصل الموظف بالمستفيد وأكد أن المعاملة متوقفة في البوابة منذ أسبوع، وطلب صورة من رسالة الخطأ. "


def notes(count: int = EVENTS_PER_CASE, size: int = DATA_BYTES) -> list[NoteAdded]:
    """`count` internal notes whose JSON data is `size` bytes, give or take a character."""
    def data_bytes(event: NoteAdded) -> int:
        return len(json.dumps(event.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")).encode())

    events = []
    for index in range(1, count + 1):
        text = (NOTE * (size // len(NOTE.encode()) + 2))
        event = NoteAdded(department="passports", officer_id=f"officer-{index}", note=text)
        while data_bytes(event) > size:
            text = text[:-1]
            event = NoteAdded(department="passports", officer_id=f"officer-{index}", note=text.rstrip() or "-")
        events.append(event)
    return events


def states(events: list[NoteAdded]) -> list[bytes]:
    """The envelopes Tawasul's store keeps for `events`, as the bytes the peer stores."""
    store = EventStore(producer="bench")
    envelopes = store.stamp(events, case_id="TW0000000000", cause=Cause(uuid.uuid4()), after=0)
    return [json.dumps(envelope.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")).encode()
            for envelope in envelopes]


async def tawasul_database(url: URL, writers: int) -> AsyncEngine:
    await asyncio.to_thread(db.ensure_database, url)
    await asyncio.to_thread(migrations.upgrade, url, system.service("routing").migrations)  # any service's
    return db.create_engine(url, pool_size=writers)


def peer_recorder(url: URL, writers: int) -> PostgresApplicationRecorder:
    db.ensure_database(url)
    datastore = PostgresDatastore(
        dbname=url.database, host=url.query.get("host") or url.host or "", port=url.port or "",
        user=url.username or "", password=url.password or "", pool_size=writers, max_overflow=0,
    )
    recorder = PostgresApplicationRecorder(datastore)
    recorder.create_table()
    return recorder


async def tawasul_round(engine: AsyncEngine, writers: int, cases: int, events: list[NoteAdded]) -> float:
    """Events per second appended by `writers` asyncio tasks, a case (one transaction) at a time."""
    sessions = db.session_factory(engine)
    store = EventStore(producer="bench")
    share = [cases // writers + (writer < cases % writers) for writer in range(writers)]

    async def writer(count: int) -> None:
        for _ in range(count):
            case = f"TW{uuid.uuid4().hex[:10]}"
            async with sessions.begin() as session:
                await store.append(session, events, key=case, case_id=case, cause=Cause(uuid.uuid4()),
                                   expected_version=0)

    started = time.perf_counter()
    await asyncio.gather(*(writer(count) for count in share))
    return cases * len(events) / (time.perf_counter() - started)


def peer_round(recorder: PostgresApplicationRecorder, writers: int, cases: int, payloads: list[bytes]) -> float:
    """Events per second inserted by `writers` threads, an aggregate's events (one `insert_events`) at a time."""
    share = [cases // writers + (writer < cases % writers) for writer in range(writers)]

    def writer(count: int) -> None:
        for _ in range(count):
            aggregate = uuid.uuid4()
            recorder.insert_events([
                StoredEvent(originator_id=aggregate, originator_version=version, topic="NoteAdded", state=state)
                for version, state in enumerate(payloads, start=1)
            ])

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(writer, share))
    return cases * len(payloads) / (time.perf_counter() - started)


def drop(url: URL) -> None:
    with psycopg.connect(db.libpq_dsn(url.set(database="postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database)))


async def measure(database_url: str, *, rounds: int = 3, writers: int = 8, cases: int = 500,
                  say: Callable[[str], None] = print) -> dict[str, float]:
    """Medians of `rounds` alternating rounds of `cases` cases each, in databases made for it and dropped after."""
    tag = uuid.uuid4().hex[:6]
    ours = make_url(database_url).set(database=f"bench_store_{tag}")
    theirs = make_url(database_url).set(database=f"bench_peer_{tag}")
    events = notes()
    payloads = states(events)
    engine = await tawasul_database(ours, writers)
    recorder = await asyncio.to_thread(peer_recorder, theirs, writers)
    try:
        await tawasul_round(engine, writers, writers * 5, events)  # warm up both: pools, plans, caches
        await asyncio.to_thread(peer_round, recorder, writers, writers * 5, payloads)
        rates: dict[str, list[float]] = {"store": [], "peer": []}
        for round_ in range(1, rounds + 1):
            rates["store"].append(await tawasul_round(engine, writers, cases, events))
            rates["peer"].append(await asyncio.to_thread(peer_round, recorder, writers, cases, payloads))
            say(f"round {round_}: Tawasul's store {rates['store'][-1]:,.0f} events/s, "
                f"eventsourcing {rates['peer'][-1]:,.0f} events/s")
    finally:
        await engine.dispose()
        recorder.datastore.close()
        for url in (ours, theirs):
            await asyncio.to_thread(drop, url)
    store, peer = statistics.median(rates["store"]), statistics.median(rates["peer"])
    return {"store_events_per_s": store, "peer_events_per_s": peer, "store_ratio": store / peer,
            "event_bytes": float(len(payloads[0]))}


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, provide_infra(Path(tmp)) as infra:
        result = await measure(infra.database_url, rounds=args.rounds, writers=args.writers, cases=args.cases)
    print(f"event store ({args.writers} writers, {EVENTS_PER_CASE} events of ~{DATA_BYTES} bytes of data a case, "
          f"{result['event_bytes']:.0f}-byte envelopes), medians of {args.rounds} rounds: Tawasul's store "
          f"{result['store_events_per_s']:,.0f} events/s, eventsourcing's PostgreSQL recorder "
          f"{result['peer_events_per_s']:,.0f} events/s: {result['store_ratio']:.2f}×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--cases", type=int, default=500, help="cases (transactions of 10 events) a round")
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
