"""Two hundred submissions through the four services as processes, over the real broker and database."""

import asyncio
from collections import Counter, defaultdict

import httpx
import pytest

from tests.system import System, encode, envelope_of, submission, topics

pytestmark = pytest.mark.e2e

CASES = 200


@pytest.fixture
async def system(infra, tmp_path_factory):
    system = System(infra, tmp_path_factory.mktemp("e2e"))
    try:
        await system.start()
        yield system
    finally:
        await system.stop()


async def wait_for(predicate, *, timeout_s: float = 90.0, every_s: float = 0.5):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(every_s)


async def resolve_all(system: System, case_ids: list[str]) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for case_id in case_ids:
            response = await client.post(
                system.url("casework", f"/api/v1/cases/{case_id}/resolve"),
                json={"outcome": "completed", "public_reply": "تمت معالجة طلبك", "officer_id": "officer-7"},
            )
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "resolved"


async def test_every_submission_becomes_one_case_routed_and_resolved_once(system: System):
    bodies = [submission(n) for n in range(CASES)]
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in bodies])

    async def all_open():
        return await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'open'") == CASES

    await wait_for(all_open)
    async with system.database("casework") as conn:
        from sqlalchemy import text

        case_ids = list((await conn.execute(text("SELECT case_id FROM queue"))).scalars())
    await resolve_all(system, case_ids)

    records = await system.read_topic(topics.CASE_EVENTS, until=3 * CASES)
    history = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        envelope = envelope_of(record)
        assert record.key.decode() == envelope["case_id"]
        history[envelope["case_id"]].append(envelope["type"])
    assert len(history) == CASES
    assert {case: types for case, types in history.items() if types != ["RequestSubmitted", "Routed", "Resolved"]} == {}

    results = await system.read_topic(topics.SUBMISSION_RESULTS, until=CASES)
    answers = Counter((r.key.decode(), envelope_of(r)["type"]) for r in results)
    assert answers == Counter({(body["submission_id"], "SubmissionAccepted"): 1 for body in bodies})

    assert await system.scalar("intake", "SELECT count(*) FROM submissions WHERE status = 'accepted'") == CASES
    assert await system.scalar("routing", "SELECT count(DISTINCT case_id) || '/' || count(*) FROM cases") == f"{CASES}/{CASES}"
    assert await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'resolved'") == CASES
    assert await system.scalar("notify", "SELECT count(*) FROM recipients") == CASES
    expected_notifications = sum(3 * len(body["channels"]) for body in bodies)
    assert await system.scalar("notify", "SELECT count(*) FROM notifications") == expected_notifications
