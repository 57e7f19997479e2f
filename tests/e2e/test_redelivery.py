"""The same events delivered again change no read model and emit nothing new."""

from collections import Counter

import pytest

from tests.system import System, encode, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e

CASES = 20

READ_MODELS = {
    "intake": "SELECT submission_id, fingerprint, status, tracking_number FROM submissions ORDER BY 1",
    "routing": "SELECT case_id, department, status FROM cases ORDER BY 1",
    "casework": "SELECT case_id, department, status, version FROM queue ORDER BY 1",
    "notify": "SELECT event_id::text, channel, case_id, status FROM notifications ORDER BY 1, 2",
}


async def snapshot(system: System) -> dict:
    return {service: await system.rows(service, sql) for service, sql in READ_MODELS.items()}


async def test_events_published_twice_more_leave_every_read_model_unchanged(system: System):
    await system.publish(topics.SUBMISSIONS, [encode(submission(n)) for n in range(CASES)])

    async def routed_everywhere():
        return (
            await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'open'") == CASES
            and await system.scalar("notify", "SELECT count(*) FROM notifications")
            == 2 * await system.scalar("notify", "SELECT coalesce(sum(cardinality(channels)), 0) FROM recipients")
            and await system.scalar("notify", "SELECT count(*) FROM recipients") == CASES
            and await system.scalar("notify", "SELECT count(*) FROM notifications WHERE status <> 'sent'") == 0
        )

    await wait_for(routed_everywhere, what="every case routed, every notification sent")
    before = await snapshot(system)
    sent = await system.scalar("notify", "SELECT count(*) FROM notifications")
    records = await system.read_topic(topics.CASE_EVENTS, until=2 * CASES + sent)
    assert Counter(envelope_of(r)["type"] for r in records) == Counter(
        {"RequestSubmitted": CASES, "Routed": CASES, "NotificationSent": sent})
    ignored_before = {name: (await system.health(name))["consumer"]["ignored_duplicates"] for name in READ_MODELS}

    again = [(record.key, record.value) for record in records] * 2
    await system.publish(topics.CASE_EVENTS, again)

    # routing takes RequestSubmitted, intake Routed (never its own events back), casework and notify both.
    expected_ignored = {"intake": 2 * CASES, "routing": 2 * CASES, "casework": 4 * CASES, "notify": 4 * CASES}

    async def all_ignored():
        for name, expected in expected_ignored.items():
            if (await system.health(name))["consumer"]["ignored_duplicates"] - ignored_before[name] < expected:
                return False
        return True

    await wait_for(all_ignored, what="every repeat seen and ignored")
    assert await snapshot(system) == before
    after = await system.read_topic(topics.CASE_EVENTS, until=len(records) + len(again))
    assert len({envelope_of(r)["event_id"] for r in after}) == len(records)
    assert len(system.mail.messages()) + len(system.sms.messages()) == sent  # and nobody was told twice
