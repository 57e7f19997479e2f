"""The sending ledger against the real database, with hand-written channels: retries and backoff, permanent
failures, and what a crash between sending and recording leaves behind."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from notify.channels.base import Outgoing, PermanentFailure, Receipt, TemporaryFailure
from notify.sender import Sender
from notify.settings import NotifySettings
from services.eventstore import EventStore

MIGRATIONS = Path("notify/migrations")


class Recording:
    """A channel that records what it is given and answers from a script: 'ok', 'temporary' or 'permanent'."""

    def __init__(self, name: str, script: list[str], deduplicates: bool = False) -> None:
        self.name, self.script, self.deduplicates = name, list(script), deduplicates
        self.sent: list[Outgoing] = []

    async def send(self, outgoing: Outgoing) -> Receipt:
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "temporary":
            raise TemporaryFailure("421 try later")
        if answer == "permanent":
            raise PermanentFailure("550 mailbox unavailable")
        self.sent.append(outgoing)
        return Receipt(provider_message_id=f"p-{len(self.sent)}")

    async def close(self) -> None:
        pass


SETTINGS = NotifySettings(send_attempts=3, send_retry_base_s=0.001, send_retry_cap_s=0.001, send_lease_s=0.5)


async def a_case(sessions, channels=("email",)) -> tuple[str, uuid.UUID]:
    case_id, event_id = f"TW{uuid.uuid4().hex[:10]}", uuid.uuid4()
    async with sessions.begin() as session:
        await session.execute(text(
            "INSERT INTO recipients VALUES (:c, 'en', :channels, 'someone@example.sa', '+966500000000')"
        ), {"c": case_id, "channels": list(channels)})
        await session.execute(text(
            "INSERT INTO updates (event_id, case_id, event_type, occurred_at, data, correlation_id) "
            "VALUES (:e, :c, 'RequestSubmitted', now(), '{}', :e)"
        ), {"e": event_id, "c": case_id})
        for channel in channels:
            await session.execute(text(
                "INSERT INTO notifications (event_id, channel, case_id, event_type, language, status) "
                "VALUES (:e, :ch, :c, 'RequestSubmitted', 'en', 'pending')"
            ), {"e": event_id, "ch": channel, "c": case_id})
    return case_id, event_id


async def state(sessions, event_id) -> tuple:
    async with sessions() as session:
        return (await session.execute(text(
            "SELECT status, attempts, provider_message_id FROM notifications WHERE event_id = :e"), {"e": event_id}
        )).one()


async def events_of(sessions, case_id: str) -> list[str]:
    async with sessions() as session:
        return list((await session.execute(text(
            "SELECT type FROM event_store WHERE key = :c ORDER BY position"), {"c": case_id})).scalars())


async def drain(sender: Sender, sessions) -> None:
    for _ in range(20):
        async with sessions.begin() as session:
            await session.execute(text("UPDATE notifications SET next_attempt_at = now() WHERE status = 'pending'"))
        if not await sender.round():
            return


async def test_a_temporary_failure_is_retried_then_sent_once_with_one_key(sessions):
    case_id, event_id = await a_case(sessions)
    channel = Recording("email", ["temporary", "ok"])
    sender = Sender(sessions, EventStore(producer="notify"), {"email": channel}, SETTINGS)
    await drain(sender, sessions)
    assert await state(sessions, event_id) == ("sent", 2, "p-1")
    assert [o.idempotency_key for o in channel.sent] == [f"{event_id}-email"]
    assert "Tawasul" in channel.sent[0].message.text and case_id in channel.sent[0].message.text
    assert await events_of(sessions, case_id) == ["NotificationSent"]


async def test_temporary_failures_give_up_after_the_attempts_and_a_permanent_one_at_once(sessions):
    retried_case, retried = await a_case(sessions)
    sender = Sender(sessions, EventStore(producer="notify"), {"email": Recording("email", ["temporary"] * 5)}, SETTINGS)
    await drain(sender, sessions)
    assert (await state(sessions, retried))[:2] == ("failed", 3)
    assert await events_of(sessions, retried_case) == ["NotificationFailed"]

    refused_case, refused = await a_case(sessions)
    sender = Sender(sessions, EventStore(producer="notify"), {"email": Recording("email", ["permanent"])}, SETTINGS)
    await drain(sender, sessions)
    assert (await state(sessions, refused))[:2] == ("failed", 1)
    assert await events_of(sessions, refused_case) == ["NotificationFailed"]


@pytest.mark.parametrize(("deduplicates", "started", "after"), [
    (False, True, "in_doubt"),  # it may have gone out, and the provider would not drop a second copy: hold it
    (True, True, "pending"),  # the provider drops a repeated key: send again under the same key
    (False, False, "pending"),  # never handed to the provider: simply send it
])
async def test_a_claim_left_by_a_dead_sender(sessions, deduplicates, started, after):
    _, event_id = await a_case(sessions)
    async with sessions.begin() as session:
        await session.execute(text(
            "UPDATE notifications SET status = 'sending', attempts = 1, claimed_at = :at WHERE event_id = :e"
        ), {"e": event_id, "at": datetime.now(UTC) - timedelta(seconds=5)})
        await session.execute(text(
            "INSERT INTO attempts (event_id, channel, attempt, claimed_at, started_at) VALUES (:e, 'email', 1, now(), "
            + ("now())" if started else "NULL)")
        ), {"e": event_id})
    channel = Recording("email", [], deduplicates=deduplicates)
    sender = Sender(sessions, EventStore(producer="notify"), {"email": channel}, SETTINGS)
    await sender.recover()
    assert (await state(sessions, event_id))[0] == after
    assert sender.in_doubt == (after == "in_doubt")
    await drain(sender, sessions)
    assert len(channel.sent) == (0 if after == "in_doubt" else 1)


async def test_quiet_hours_hold_sms_but_not_email(sessions):
    _, event_id = await a_case(sessions, channels=("email", "sms"))
    always_quiet = SETTINGS.model_copy(update={"sms_quiet_from": datetime.min.time(),
                                               "sms_quiet_until": datetime.max.time()})
    email, sms = Recording("email", []), Recording("sms", [])
    sender = Sender(sessions, EventStore(producer="notify"), {"email": email, "sms": sms}, always_quiet)
    await drain(sender, sessions)
    assert (len(email.sent), len(sms.sent)) == (1, 0)
    urgent = always_quiet.model_copy(update={"sms_urgent_events": ["RequestSubmitted"]})
    await drain(Sender(sessions, EventStore(producer="notify"), {"email": email, "sms": sms}, urgent), sessions)
    assert len(sms.sent) == 1
