"""The event store on PostgreSQL: per-stream sequences, optimistic concurrency, append-only rows, outbox."""

from __future__ import annotations

import asyncio
import time
import uuid

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Envelope, Routed
from services import db
from services.eventstore import Cause, ConcurrencyError, EventStore
from services.tables import event_store, outbox

PRODUCER = "eventstore-tests"


def routed(department: str = "licensing") -> Routed:
    return Routed(department=department, rule="section=licensing", rules_version="2024-01")


def new_case() -> str:
    return f"case-{uuid.uuid4().hex[:12]}"


def cause() -> Cause:
    return Cause(correlation_id=uuid.uuid4(), causation_id=uuid.uuid4())


@pytest.fixture
def store() -> EventStore:
    return EventStore(producer=PRODUCER)


async def count_rows_in(session: AsyncSession, stream: str) -> tuple[int, int]:
    """(rows in event_store, rows of them queued in outbox) for one stream, as `session` sees them."""
    stored = await session.scalar(select(func.count()).where(event_store.c.stream == stream))
    queued = await session.scalar(
        select(func.count())
        .select_from(outbox.join(event_store, event_store.c.position == outbox.c.position))
        .where(event_store.c.stream == stream)
    )
    return int(stored or 0), int(queued or 0)


async def count_rows(sessions: async_sessionmaker[AsyncSession], stream: str) -> tuple[int, int]:
    async with sessions() as session:
        return await count_rows_in(session, stream)


async def append_alone(
    sessions: async_sessionmaker[AsyncSession], store: EventStore, case: str, department: str
) -> Envelope:
    async with sessions.begin() as session:
        [envelope] = await store.append(session, [routed(department)], key=case, case_id=case, cause=cause())
    return envelope


async def wait_until_an_append_waits_on_a_lock(
    sessions: async_sessionmaker[AsyncSession], timeout: float = 10
) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO event_store%'"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with sessions() as session:
            if await session.scalar(query):
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the second writer never waited on the first one's row")


async def test_append_numbers_each_stream_from_one_and_envelopes_carry_their_cause(sessions, store) -> None:
    case, other = new_case(), new_case()
    first_cause, second_cause = cause(), cause()

    async with sessions.begin() as session:
        first = await store.append(
            session, [routed("a"), routed("b"), routed("c")], key=case, case_id=case, cause=first_cause
        )
    async with sessions.begin() as session:
        second = await store.append(
            session, [routed("d"), routed("e")], key=case, case_id=case, cause=second_cause, expected_version=3
        )
        elsewhere = await store.append(session, [routed("f")], key=other, case_id=other, cause=first_cause)

    assert [e.sequence for e in first + second] == [1, 2, 3, 4, 5]
    assert [e.sequence for e in elsewhere] == [1]
    for envelope, given in [(e, first_cause) for e in first] + [(e, second_cause) for e in second]:
        assert envelope.producer == PRODUCER
        assert envelope.case_id == case
        assert envelope.type == "Routed" and envelope.version == 1
        assert (envelope.correlation_id, envelope.causation_id) == (given.correlation_id, given.causation_id)
    assert [e.data["department"] for e in first + second] == ["a", "b", "c", "d", "e"]
    assert len({e.event_id for e in first + second + elsewhere}) == 6

    async with sessions() as session:
        assert await store.read(session, case) == first + second
        assert await store.version(session, case) == 5
        assert await store.version(session, other) == 1


async def test_a_large_append_is_stored_whole_and_in_order(sessions, store) -> None:
    case = new_case()
    async with sessions.begin() as session:
        appended = await store.append(
            session, [routed(f"d{n}") for n in range(1201)], key=case, case_id=case, cause=cause()
        )

    async with sessions() as session:
        stored = await store.read(session, case)
    assert [e.sequence for e in stored] == list(range(1, 1202))
    assert stored == appended
    assert await count_rows(sessions, case) == (1201, 1201)


async def test_an_event_following_another_inherits_its_correlation_and_names_it_as_cause(sessions, store) -> None:
    case = new_case()
    async with sessions.begin() as session:
        [origin] = await store.append(session, [routed()], key=case, case_id=case, cause=cause())
        [answer] = await store.append(
            session, [routed("next")], key=case, case_id=case, cause=Cause.following(origin)
        )

    assert answer.correlation_id == origin.correlation_id
    assert answer.causation_id == origin.event_id


@pytest.mark.parametrize("stale", [0, 1])
async def test_an_expected_version_behind_the_stream_raises_concurrency_error_and_appends_nothing(
    sessions, store, stale: int
) -> None:
    case = new_case()
    async with sessions.begin() as session:
        await store.append(session, [routed(), routed()], key=case, case_id=case, cause=cause())

    with pytest.raises(ConcurrencyError, match="expected"):
        async with sessions.begin() as session:
            await store.append(
                session, [routed("late")], key=case, case_id=case, cause=cause(), expected_version=stale
            )

    assert await count_rows(sessions, case) == (2, 2)


async def test_an_expected_version_ahead_of_the_stream_raises_concurrency_error_and_leaves_no_gap(
    sessions, store
) -> None:
    case = new_case()
    async with sessions.begin() as session:
        await store.append(session, [routed(), routed()], key=case, case_id=case, cause=cause())

    with pytest.raises(ConcurrencyError, match="expected"):
        async with sessions.begin() as session:
            await store.append(session, [routed("early")], key=case, case_id=case, cause=cause(), expected_version=3)

    async with sessions() as session:
        assert [e.sequence for e in await store.read(session, case)] == [1, 2]


async def test_two_concurrent_appends_at_the_same_version_commit_one_and_refuse_the_other(sessions, store) -> None:
    case = new_case()
    async with sessions.begin() as first:
        [winner] = await store.append(
            first, [routed("first")], key=case, case_id=case, cause=cause(), expected_version=0
        )

        async def second_writer() -> None:
            async with sessions.begin() as second:  # reads version 0: the first append is not committed yet
                await store.append(second, [routed("second")], key=case, case_id=case, cause=cause(),
                                   expected_version=0)

        loser = asyncio.create_task(second_writer())
        await wait_until_an_append_waits_on_a_lock(sessions)  # its INSERT waits on the unique (stream, sequence)
        # leaving the block commits the first transaction, which lets the second one fail
    with pytest.raises(ConcurrencyError) as refused:
        await asyncio.wait_for(loser, timeout=10)

    assert isinstance(refused.value.__cause__, IntegrityError)
    async with sessions() as session:
        assert await store.read(session, case) == [winner]


async def test_concurrent_appends_without_expected_version_still_never_share_a_sequence(sessions, store) -> None:
    case = new_case()
    outcomes = await asyncio.gather(
        *[append_alone(sessions, store, case, f"d{n}") for n in range(8)], return_exceptions=True
    )

    committed = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert committed, outcomes
    assert all(isinstance(error, ConcurrencyError) for error in refused), refused
    async with sessions() as session:
        stored = await store.read(session, case)
    assert [e.sequence for e in stored] == list(range(1, len(committed) + 1))
    assert {e.event_id for e in stored} == {envelope.event_id for envelope in committed}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE event_store SET type = 'Tampered' WHERE stream = %(stream)s",
        "DELETE FROM event_store WHERE stream = %(stream)s",
        "TRUNCATE event_store CASCADE",
    ],
    ids=["update", "delete", "truncate"],
)
async def test_the_database_refuses_to_change_or_remove_stored_events(
    sessions, store, database: URL, statement: str
) -> None:
    case = new_case()
    async with sessions.begin() as session:
        await store.append(session, [routed()], key=case, case_id=case, cause=cause())

    async with await psycopg.AsyncConnection.connect(db.libpq_dsn(database)) as conn:
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            await conn.execute(statement, {"stream": case} if "%(stream)s" in statement else None)
        await conn.rollback()

    async with sessions() as session:
        [kept] = await store.read(session, case)
    assert kept.type == "Routed"


async def test_an_append_is_queued_in_the_outbox_inside_its_own_transaction(sessions, store) -> None:
    case = new_case()
    async with sessions.begin() as session:
        [envelope] = await store.append(session, [routed()], key=case, case_id=case, cause=cause())
        position = await session.scalar(
            select(event_store.c.position).where(event_store.c.event_id == envelope.event_id)
        )
        queued = await session.scalar(select(func.count()).where(outbox.c.position == position))
        assert queued == 1
        assert await count_rows(sessions, case) == (0, 0)  # other sessions see nothing before the commit

    assert await count_rows(sessions, case) == (1, 1)


async def test_a_rolled_back_append_leaves_neither_the_event_nor_its_outbox_row(sessions, store) -> None:
    case = new_case()

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon):
        async with sessions.begin() as session:
            await store.append(session, [routed(), routed()], key=case, case_id=case, cause=cause())
            assert await count_rows_in(session, case) == (2, 2)
            raise Abandon

    assert await count_rows(sessions, case) == (0, 0)
    async with sessions.begin() as session:  # the stream starts again at 1
        [envelope] = await store.append(session, [routed()], key=case, case_id=case, cause=cause())
    assert envelope.sequence == 1
