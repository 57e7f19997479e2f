"""`make bench` (append): what tamper evidence costs a store's appends, and how fast the sealer seals.

The same appends — W concurrent writers, each committing transactions of B events to streams of their own, as
services do — are timed twice on one PostgreSQL, in databases of their own migrated to head: once as shipped
(each event's canonical content hashed by the writer, chained by the database on insert, queued for sealing),
and once with the evidence taken out (the contiguity check as it was before the chain, no sealing queue, no
hashing). Then the sealer seals the queued events and its rate is printed. Rounds alternate between the two
so that the machine's noise falls on both; the medians and the cost are printed.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from unittest import mock

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import make_url

from contracts import Routed
from services import db, eventstore, migrations
from services.eventstore import Cause, EventStore
from services.sealer import Sealer
from tawasul import system
from tests.infra import provide_infra

PLAIN_CHECK = """
    CREATE OR REPLACE FUNCTION tawasul_contiguous() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.sequence > 1 AND NOT EXISTS (
            SELECT 1 FROM event_store WHERE stream = NEW.stream AND sequence = NEW.sequence - 1) THEN
            RAISE EXCEPTION 'stream % has no sequence % before %', NEW.stream, NEW.sequence - 1, NEW.sequence;
        END IF;
        NEW.previous_hash := '\\x00'::bytea; NEW.chain_hash := '\\x00'::bytea;
        RETURN NEW;
    END $$;
    ALTER TABLE event_store DISABLE TRIGGER event_store_seal_enqueue;
"""
ZERO = bytes(32)


async def database(base: str, name: str, plain: bool):
    url = make_url(base).set(database=name)
    await asyncio.to_thread(db.ensure_database, url)
    await asyncio.to_thread(migrations.upgrade, url, system.service("routing").migrations)  # any service's
    engine = db.create_engine(url, pool_size=8)
    if plain:
        async with engine.begin() as conn:
            await conn.execute(text(PLAIN_CHECK))
    return engine


async def appends(engine, writers: int, transactions: int, batch: int, plain: bool) -> float:
    """Events per second appended by `writers` concurrent writers."""
    sessions = db.session_factory(engine)
    store = EventStore(producer="bench")
    events = [Routed(department="passports", rule="r", rules_version="2026.1") for _ in range(batch)]

    async def writer() -> None:
        for _ in range(transactions):
            case = f"TW{uuid.uuid4().hex[:10]}"
            async with sessions.begin() as session:
                await store.append(session, events, key=case, case_id=case, cause=Cause(uuid.uuid4()))

    hashing = mock.patch.object(eventstore, "content_hash", lambda stream, document: ZERO) if plain else None
    started = time.perf_counter()
    if hashing:
        with hashing:
            await asyncio.gather(*(writer() for _ in range(writers)))
    else:
        await asyncio.gather(*(writer() for _ in range(writers)))
    return writers * transactions * batch / (time.perf_counter() - started)


async def sealing(engine) -> float:
    sealer = Sealer(service="bench", sessions=db.session_factory(engine), key=Ed25519PrivateKey.generate())
    started, sealed = time.perf_counter(), 0
    while (count := await sealer.seal_once()):
        sealed += count
    return sealed / (time.perf_counter() - started)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, provide_infra(Path(tmp)) as infra:
        tag = uuid.uuid4().hex[:6]
        shipped = await database(infra.database_url, f"bench_append_{tag}", plain=False)
        plain = await database(infra.database_url, f"bench_plain_{tag}", plain=True)
        await appends(shipped, 2, 20, args.batch, False)  # warm up both
        await appends(plain, 2, 20, args.batch, True)
        rates: dict[str, list[float]] = {"with the evidence": [], "without": []}
        for round_ in range(1, args.rounds + 1):
            with_it = await appends(shipped, args.writers, args.transactions, args.batch, False)
            without = await appends(plain, args.writers, args.transactions, args.batch, True)
            rates["with the evidence"].append(with_it)
            rates["without"].append(without)
            print(f"round {round_}: appends {with_it:,.0f} events/s with the evidence, {without:,.0f} without")
        seal_rate = await sealing(shipped)
        median = {name: statistics.median(values) for name, values in rates.items()}
        cost = 1 - median["with the evidence"] / median["without"]
        print(f"appends ({args.writers} writers, {args.batch} events a transaction), medians of {args.rounds} "
              f"rounds: {median['with the evidence']:,.0f} events/s with the evidence, {median['without']:,.0f} "
              f"without: the evidence costs {cost:.1%}")
        print(f"sealing: {seal_rate:,.0f} events/s into the Merkle tree")
        for engine in (shipped, plain):
            await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=150)
    parser.add_argument("--batch", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
