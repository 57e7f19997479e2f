"""SIGKILL services mid-stream and start them again: nothing is lost and nothing is applied twice."""

from collections import Counter, defaultdict

import pytest

from tests.system import System, encode, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e

CASES = 1500


async def crash_when(system: System, service: str, sql: str, at_least: int) -> int:
    """SIGKILL `service` as soon as `sql` counts `at_least`, then start it again; returns the count at the kill."""
    async def reached():
        count = await system.scalar(service, sql)
        return count if count >= at_least else None

    seen = await wait_for(reached, every_s=0.02, what=f"{service} to apply {at_least}")
    child = system.children[service]
    child.kill()
    await child.proc.wait()
    await child.start()
    return seen


async def test_services_killed_mid_stream_lose_nothing_and_apply_nothing_twice(system: System):
    bodies = [submission(n) for n in range(CASES)]
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in bodies])

    seen = [
        await crash_when(system, "intake", "SELECT count(*) FROM submissions", 100),
        await crash_when(system, "routing", "SELECT count(*) FROM cases", 50),
        await crash_when(system, "notify", "SELECT count(*) FROM recipients", 50),
    ]
    assert max(seen) < CASES, f"the kills came too late to mean anything: {seen}"
    for name in ("intake", "routing", "notify"):
        await system.wait_healthy(name)

    expected_notifications = sum(2 * len(body["channels"]) for body in bodies)

    async def all_settled():
        return (
            await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'open'") == CASES
            and await system.scalar("notify", "SELECT count(*) FROM notifications") >= expected_notifications
        )

    await wait_for(all_settled, timeout_s=180, what="every case routed and known to notify")

    # Publishing is at-least-once: a record may repeat after a crash, but never as a new event.
    records = await system.read_topic(topics.CASE_EVENTS, until=2 * CASES)
    events = defaultdict(dict)
    for record in records:
        envelope = envelope_of(record)
        if not envelope["type"].startswith("Notification"):
            events[envelope["case_id"]][envelope["event_id"]] = envelope["type"]
    assert len(events) == CASES
    kinds = Counter(tuple(sorted(by_id.values())) for by_id in events.values())
    assert kinds == Counter({("RequestSubmitted", "Routed"): CASES})

    results = await system.read_topic(topics.SUBMISSION_RESULTS, until=CASES)
    answers = defaultdict(set)
    for record in results:
        answers[record.key.decode()].add(envelope_of(record)["event_id"])
    assert {len(ids) for ids in answers.values()} == {1} and len(answers) == CASES

    tracked = await system.rows("intake", "SELECT count(*), count(DISTINCT tracking_number) FROM submissions")
    assert tracked == [(CASES, CASES)]
    assert await system.scalar("routing", "SELECT count(*) FROM cases") == CASES
    assert await system.scalar("casework", "SELECT count(*) FROM queue") == CASES
    assert await system.scalar("notify", "SELECT count(*) FROM notifications") == expected_notifications
