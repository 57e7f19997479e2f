"""Tamper evidence on the real database: every append is hashed and chained as it is stored, and `audit verify`
names exactly the event someone edited, the hole someone made, or the events someone swapped between cases —
after lifting the append-only guard, as only someone with the database's owner rights could."""

import hashlib
import json
import uuid

import psycopg
import pytest
from sqlalchemy import text

from contracts import Routed
from services import db
from services.audit import verify_chains
from services.eventstore import Cause, EventStore
from services.integrity import GENESIS, canonical

STORE = EventStore(producer="integrity-tests")


def routed(n: int) -> Routed:
    return Routed(department=f"department-{n}", rule="r", rules_version="2026.1")


async def appended(sessions, events: int) -> str:
    case = f"TW{uuid.uuid4().hex[:10]}"
    cause = Cause(correlation_id=uuid.uuid4())
    async with sessions.begin() as session:
        await STORE.append(session, [routed(n) for n in range(events)], key=case, case_id=case, cause=cause)
    return case


async def tampering(database, statement: str, params: dict) -> None:
    """`statement` run with the guard lifted, as a database owner could."""
    async with await psycopg.AsyncConnection.connect(db.libpq_dsn(database), autocommit=True) as conn:
        await conn.execute("ALTER TABLE event_store DISABLE TRIGGER event_store_no_update_delete")
        try:
            await conn.execute(statement, params)
        finally:
            await conn.execute("ALTER TABLE event_store ENABLE TRIGGER event_store_no_update_delete")


async def row_of(sessions, stream: str, sequence: int):
    async with sessions() as session:
        return (await session.execute(text(
            "SELECT position, event_id::text AS event_id, envelope, content_hash, previous_hash, chain_hash "
            "FROM event_store WHERE stream = :stream AND sequence = :sequence"),
            {"stream": stream, "sequence": sequence})).one()


async def test_each_event_is_stored_with_the_documented_hashes_chained_through_its_stream(sessions, database):
    case = await appended(sessions, 3)
    head = GENESIS
    for sequence in (1, 2, 3):
        row = await row_of(sessions, case, sequence)
        # The README's recipe, written out here: SHA-256 of the canonical JSON, chained with the one before.
        document = json.dumps({"envelope": row.envelope, "stream": case}, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False).encode()
        assert canonical({"envelope": row.envelope, "stream": case}) == document
        assert row.content_hash == hashlib.sha256(document).digest()
        assert row.previous_hash == head and row.chain_hash == hashlib.sha256(head + row.content_hash).digest()
        head = row.chain_hash
    verified = await verify_chains(sessions)
    assert verified.broken is None and verified.events >= 3


async def test_verify_names_the_edited_event_the_missing_one_and_events_swapped_between_cases(sessions, database):
    first, second, third = await appended(sessions, 3), await appended(sessions, 2), await appended(sessions, 2)
    assert (await verify_chains(sessions)).broken is None

    edited = await row_of(sessions, first, 2)
    forged = {**edited.envelope, "data": {**edited.envelope["data"], "department": "forged"}}
    await tampering(database, "UPDATE event_store SET envelope = %(forged)s::jsonb WHERE position = %(position)s",
                    {"forged": json.dumps(forged), "position": edited.position})
    broken = (await verify_chains(sessions)).broken
    assert (broken.event_id, broken.stream, broken.sequence) == (edited.event_id, first, 2)
    assert "content" in broken.reason
    await tampering(database, "UPDATE event_store SET envelope = %(kept)s::jsonb WHERE position = %(position)s",
                    {"kept": json.dumps(edited.envelope), "position": edited.position})
    assert (await verify_chains(sessions)).broken is None  # put back as it was: it holds again

    removed = await row_of(sessions, second, 1)
    after = await row_of(sessions, second, 2)
    for queue in ("outbox", "seal_queue"):  # not yet published, nor sealed: no sealer runs here
        await tampering(database, f"DELETE FROM {queue} WHERE position = %(position)s", {"position": removed.position})
    await tampering(database, "DELETE FROM event_store WHERE position = %(position)s", {"position": removed.position})
    broken = (await verify_chains(sessions)).broken
    assert (broken.event_id, broken.sequence) == (after.event_id, 2) and "sequence 1" in broken.reason
    await tampering(database, "INSERT INTO event_store (event_id, stream, sequence, topic, key, type, version, "
                    "occurred_at, envelope, content_hash) SELECT (%(envelope)s::jsonb->>'event_id')::uuid, %(stream)s, "
                    "1, topic, key, type, version, occurred_at, %(envelope)s::jsonb, %(content)s FROM event_store "
                    "WHERE position = %(after)s", {"envelope": json.dumps(removed.envelope), "stream": second,
                                                   "content": removed.content_hash, "after": after.position})
    assert (await verify_chains(sessions)).broken is None  # put back: its successor's chain holds again

    one, other = await row_of(sessions, third, 1), await row_of(sessions, first, 1)
    await tampering(database, "UPDATE event_store AS e SET envelope = o.envelope, content_hash = o.content_hash "
                    "FROM event_store AS o WHERE (e.position, o.position) IN "
                    "((%(one)s, %(other)s), (%(other)s, %(one)s))", {"one": one.position, "other": other.position})
    broken = (await verify_chains(sessions)).broken
    assert broken.position in (one.position, other.position) and broken.sequence == 1  # the first of the two


@pytest.mark.parametrize("sequence", [2])
async def test_the_database_chains_an_append_itself_whatever_the_writer_claims(sessions, database, sequence):
    case = await appended(sessions, 1)
    async with await psycopg.AsyncConnection.connect(db.libpq_dsn(database), autocommit=True) as conn:
        await conn.execute(
            "INSERT INTO event_store (event_id, stream, sequence, topic, key, type, version, occurred_at, envelope, "
            "content_hash, previous_hash, chain_hash) SELECT gen_random_uuid(), stream, %(sequence)s, topic, key, "
            "type, version, occurred_at, envelope, content_hash, '\\x00'::bytea, '\\x00'::bytea FROM event_store "
            "WHERE stream = %(stream)s AND sequence = 1", {"stream": case, "sequence": sequence})
    row, before = await row_of(sessions, case, sequence), await row_of(sessions, case, sequence - 1)
    assert row.previous_hash == before.chain_hash  # not the zeros it was given
    assert row.chain_hash == hashlib.sha256(before.chain_hash + row.content_hash).digest()
