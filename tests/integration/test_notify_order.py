"""Notify derives the same notifications whichever of a case's events reaches it first."""

import uuid
from pathlib import Path

from sqlalchemy import text

from contracts import Envelope, RequestSubmitted, Routed
from notify.handlers import Notifications
from services.eventstore import EventStore, unit_of_work

MIGRATIONS = Path("notify/migrations")
NOTIFY = Notifications(told=["RequestSubmitted", "Routed", "InfoRequested", "Resolved", "SlaBreached"])


def envelopes(case_id: str) -> tuple[tuple[Envelope, RequestSubmitted], tuple[Envelope, Routed]]:
    correlation = uuid.uuid4()
    submitted = RequestSubmitted(
        submission_id=f"s-{case_id}", portal="absher", account_id="1000000008", subject_id="1000000008",
        section="iqama", sub_service="renew", description="x", language="ar",
        contact={"email": "a@example.sa", "mobile": "+966500000000"}, channels=["email", "sms"],
        submitted_at="2026-11-22T10:00:00Z",
    )
    routed = Routed(department="residency", rule="section:iqama", rules_version="2026.1")

    def wrap(event, producer):
        return Envelope(type=event.TYPE, version=1, case_id=case_id, sequence=1, producer=producer,
                        correlation_id=correlation, data=event.model_dump(mode="json")), event

    return wrap(submitted, "intake"), wrap(routed, "routing")


async def notifications_of(sessions, case_id: str) -> set[tuple[str, str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT event_type, channel, language FROM notifications WHERE case_id = :c"), {"c": case_id}
        )
        return set(rows.tuples())


EXPECTED = {(t, c, "ar") for t in ("RequestSubmitted", "Routed") for c in ("email", "sms")}


async def test_routed_before_submitted_still_gives_one_notification_per_event_and_channel(sessions):
    case_id = f"TW-{uuid.uuid4().hex[:8]}"
    submitted, routed = envelopes(case_id)
    store = EventStore(producer="notify")
    async with unit_of_work(sessions, store) as unit:
        await NOTIFY.on_update(unit, [routed])
    assert await notifications_of(sessions, case_id) == set()  # nobody to tell yet, but the update is kept
    async with unit_of_work(sessions, store) as unit:
        await NOTIFY.on_update(unit, [submitted])
    assert await notifications_of(sessions, case_id) == EXPECTED


async def test_the_usual_order_gives_the_same_notifications(sessions):
    case_id = f"TW-{uuid.uuid4().hex[:8]}"
    submitted, routed = envelopes(case_id)
    store = EventStore(producer="notify")
    async with unit_of_work(sessions, store) as unit:
        await NOTIFY.on_update(unit, [submitted])
        await NOTIFY.on_update(unit, [routed])
    assert await notifications_of(sessions, case_id) == EXPECTED
