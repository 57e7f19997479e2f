"""Routing notices a case past its due time once per due time, and never a paused or resolved one."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from routing.breaches import Breaches
from routing.sla import load_calendar
from services.eventstore import EventStore


async def a_case(sessions, *, due_in: timedelta | None, status: str = "open") -> str:
    case_id = f"TW{uuid.uuid4().hex[:10]}"
    async with sessions.begin() as session:
        await session.execute(text(
            "INSERT INTO cases (case_id, section, sub_service, department, status, routed_at, due_at, correlation_id) "
            "VALUES (:c, 'iqama', 'renew', 'residency-riyadh', :s, now(), :due, :corr)"
        ), {"c": case_id, "s": status, "due": None if due_in is None else datetime.now(UTC) + due_in,
            "corr": uuid.uuid4()})
    return case_id


async def breaches_of(sessions, case_id: str) -> list[dict]:
    async with sessions() as session:
        return list((await session.execute(text(
            "SELECT envelope->'data' FROM event_store WHERE key = :c AND type = 'SlaBreached'"), {"c": case_id}
        )).scalars())


async def test_an_overdue_case_is_reported_once_and_others_not_at_all(sessions):
    late = await a_case(sessions, due_in=timedelta(hours=-1))
    on_time = await a_case(sessions, due_in=timedelta(days=3))
    paused = await a_case(sessions, due_in=None)
    resolved = await a_case(sessions, due_in=timedelta(hours=-1), status="resolved")
    sweeper = Breaches(sessions, EventStore(producer="routing"), load_calendar())
    await sweeper.sweep()
    await sweeper.sweep()
    [breach] = await breaches_of(sessions, late)
    assert datetime.fromisoformat(breach["new_due_at"]) > datetime.fromisoformat(breach["due_at"])
    assert [await breaches_of(sessions, c) for c in (on_time, paused, resolved)] == [[], [], []]

    async with sessions.begin() as session:  # resumed with a new due time, and late again
        await session.execute(text("UPDATE cases SET due_at = now() - interval '1 minute' WHERE case_id = :c"),
                              {"c": late})
    await sweeper.sweep()
    assert len(await breaches_of(sessions, late)) == 2
