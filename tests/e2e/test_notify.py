"""Notify end to end: exactly one message per (event, channel) at the local SMTP server and SMS gateway, retries
while the mail server is away, a refused address ending as NotificationFailed, no duplicates when notify is killed
mid-batch, and a rebuild of notify's read model sending nothing."""

import email
import email.policy
from collections import Counter

import pytest

from tests.system import System, encode, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e


def told(bodies: list[dict], events: int) -> tuple[int, int]:
    """(e-mails, SMS) expected when each body's case has gone through `events` updates."""
    return (sum(events for b in bodies if "email" in b["channels"]),
            sum(events for b in bodies if "sms" in b["channels"]))


async def delivered(system: System) -> tuple[int, int]:
    return len(system.mail.messages()), len(system.sms.messages())


async def settled(system: System, notifications: int) -> None:
    """Until the ledger holds `notifications` rows, every one sent or failed: then the sender has nothing left to
    send, and nothing more can arrive."""
    async def done():
        rows = await system.rows("notify", "SELECT count(*), count(*) FILTER (WHERE status IN ('sent', 'failed')) "
                                           "FROM notifications")
        return rows == [(notifications, notifications)]

    await wait_for(done, what=f"{notifications} notifications settled in the ledger")


async def test_each_update_reaches_each_chosen_channel_exactly_once(system: System):
    bodies = [submission(n) for n in range(20)]
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in bodies])
    await wait_for(lambda: _all_open(system, len(bodies)), what="every case open")
    case_ids = [c for (c,) in await system.rows("casework", "SELECT case_id FROM queue")]
    await system.resolve(case_ids)

    expected = told(bodies, 3)  # RequestSubmitted, Routed, Resolved

    async def all_delivered():
        return await delivered(system) == expected

    await wait_for(all_delivered, what=f"{expected} e-mails and SMS")
    await settled(system, sum(expected))
    assert await delivered(system) == expected
    ids = Counter(m["message_id"] for m in system.mail.messages())
    assert set(ids.values()) == {1}
    arabic = [m for m in system.mail.messages() if "تواصل" in (m["subject"] or "")]
    assert arabic, "Arabic e-mail subjects"
    with open(arabic[0]["path"], "rb") as eml:
        html = email.message_from_binary_file(eml, policy=email.policy.default).get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and 'lang="ar"' in html

    await system.published("notify")
    sent = [envelope_of(r) for r in await system.read_topic(topics.CASE_EVENTS, until=1)
            if envelope_of(r)["type"] == "NotificationSent"]
    assert len(sent) == sum(expected)
    assert await system.scalar("notify", "SELECT count(*) FROM notifications WHERE status = 'sent'") == sum(expected)
    assert await system.scalar("notify", "SELECT count(*) FROM attempts") == sum(expected)

    # A rebuild of notify's read model from the log sends nothing and derives nothing new.
    before = await system.rows("notify", "SELECT count(*) FROM recipients UNION ALL SELECT count(*) FROM updates")
    rebuilt = await system.rebuild("notify")
    assert rebuilt.swapped, "\n".join(rebuilt.lines())
    after = await system.rows("notify", "SELECT count(*) FROM recipients UNION ALL SELECT count(*) FROM updates")
    assert after == before
    assert await system.scalar("notify", "SELECT count(*) FROM notifications") == sum(expected)
    # A marker sent after the rebuild arrives alone: nothing the rebuild could have set off came before it.
    marker = submission(99, channels=["email"])
    await system.publish(topics.SUBMISSIONS, [encode(marker)])
    with_marker = (expected[0] + 2, expected[1])  # its RequestSubmitted and Routed, by e-mail

    async def marker_delivered():
        return await delivered(system) == with_marker

    await wait_for(marker_delivered, what="the marker's e-mails")
    await settled(system, sum(with_marker))
    assert await delivered(system) == with_marker


async def test_mail_waits_while_the_server_is_away_and_a_refused_address_fails_for_good(system: System):
    await system.mail.stop()
    bodies = [submission(n, channels=["email"]) for n in range(3)]
    refused = submission(9, channels=["email"], contact={"email": "nobody@invalid.example"})
    await system.publish(topics.SUBMISSIONS, [encode(b) for b in [*bodies, refused]])

    async def retried():
        return await system.scalar("notify", "SELECT count(*) FROM attempts WHERE outcome = 'temporary'") >= 4

    await wait_for(retried, what="attempts failing while the mail server is away")
    assert await system.scalar("notify", "SELECT count(*) FROM notifications WHERE status = 'sent'") == 0
    await system.mail.start()

    async def arrived():
        return len(system.mail.messages()) == len(bodies) * 2  # RequestSubmitted and Routed

    await wait_for(arrived, what="the waiting mail delivered once the server is back")

    async def failed():
        return [envelope_of(r)["data"] for r in await system.read_topic(topics.CASE_EVENTS, until=1)
                if envelope_of(r)["type"] == "NotificationFailed"]

    failures = await wait_for(failed, what="NotificationFailed for the refused address")
    assert all(f["permanent"] and f["channel"] == "email" for f in failures)
    assert "invalid.example" not in str(failures)  # the address is never repeated in the log


async def test_killing_notify_mid_batch_sends_no_duplicates(system: System):
    bodies = [submission(n, channels=["email", "sms"]) for n in range(150)]
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in bodies])

    async def sending():
        return len(system.mail.messages()) >= 20

    await wait_for(sending, what="notify sending")
    system.children["notify"].kill()
    assert len(system.mail.messages()) < 2 * len(bodies), "the kill came before the end"
    await system.children["notify"].start()
    expected = told(bodies, 2)

    async def all_delivered():
        return await delivered(system) == expected

    await wait_for(all_delivered, timeout_s=180, what=f"{expected} e-mails and SMS after the restart")
    await settled(system, sum(expected))
    assert await delivered(system) == expected
    assert set(Counter(m["message_id"] for m in system.mail.messages()).values()) == {1}
    sender = (await system.health("notify"))["sender"]
    assert sender["in_doubt"] == 0  # both local providers drop a repeated key, so nothing needed holding back


async def _all_open(system: System, n: int) -> bool:
    return await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'open'") == n
