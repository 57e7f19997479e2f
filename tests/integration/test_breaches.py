"""Routing notices each deadline once: a case past its due time once per due time (never a paused or resolved one),
past its warning time once per due time, and a question unanswered past its deadline once."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from routing.sla import load_calendar
from routing.timers import Timers
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
    sweeper = Timers(sessions, EventStore(producer="routing"), load_calendar())
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


async def events_of(sessions, case_id: str, type_: str) -> list[dict]:
    async with sessions() as session:
        return list((await session.execute(text(
            "SELECT envelope->'data' FROM event_store WHERE key = :c AND type = :t"), {"c": case_id, "t": type_}
        )).scalars())


async def test_a_case_past_its_warning_time_is_warned_once_per_due_time_and_a_paused_or_due_one_not(sessions):
    warned, early, paused = [await a_case(sessions, due_in=timedelta(days=1)) for _ in range(3)]
    async with sessions.begin() as session:
        await session.execute(text("UPDATE cases SET warn_at = now() - interval '1 minute' WHERE case_id IN (:a, :c)"),
                              {"a": warned, "c": paused})
        await session.execute(text("UPDATE cases SET warn_at = now() + interval '1 hour' WHERE case_id = :b"),
                              {"b": early})
        await session.execute(text("UPDATE cases SET paused_at = now() WHERE case_id = :c"), {"c": paused})
    timers = Timers(sessions, EventStore(producer="routing"), load_calendar())
    await timers.sweep()
    await timers.sweep()
    [warning] = await events_of(sessions, warned, "SlaWarning")
    assert warning["share"] == 0.8
    assert [await events_of(sessions, c, "SlaWarning") for c in (early, paused)] == [[], []]
    assert timers.reported["warned"] == 1


async def test_a_question_unanswered_past_its_deadline_is_reported_once(sessions):
    late, waiting = [await a_case(sessions, due_in=None) for _ in range(2)]
    async with sessions.begin() as session:
        await session.execute(text(
            "UPDATE cases SET paused_at = now() - interval '15 days', remaining_seconds = 3600, answer_due_at = "
            "CASE WHEN case_id = :late THEN now() - interval '1 minute' ELSE now() + interval '1 day' END "
            "WHERE case_id IN (:late, :waiting)"), {"late": late, "waiting": waiting})
    timers = Timers(sessions, EventStore(producer="routing"), load_calendar())
    await timers.sweep()
    await timers.sweep()
    [overdue] = await events_of(sessions, late, "AnswerOverdue")
    assert datetime.fromisoformat(overdue["answer_due_at"]) < datetime.now(UTC)
    assert await events_of(sessions, waiting, "AnswerOverdue") == []
    assert timers.reported["unanswered"] == 1
