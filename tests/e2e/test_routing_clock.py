"""Routing across the services: rules and due times, the clock paused by an information request and resumed
by the beneficiary's answer, transfers, and a rebuild of routing's read model from the log."""

from datetime import datetime

import httpx
import pytest

from contracts import Envelope, RequestSubmitted, Routed, decode_event
from routing.provenance import rederive
from routing.rules import load
from routing.sla import load_calendar
from tests import samples
from tests.system import System, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e
OWNER = {"account_id": samples.ACCOUNT}


async def post(system: System, service: str, path: str, body: dict, key: str | None = None) -> httpx.Response:
    headers = {"X-Api-Key": system.keys[key]} if key else {}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(system.url(service, path), json=body, headers=headers)


async def status(system: System, tracking: str) -> dict:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(system.url("intake", f"/api/v1/requests/{tracking}"), params=OWNER,
                                    headers={"X-Api-Key": system.keys["absher"]})
    return response.json()


async def until_status(system: System, tracking: str, wanted: str) -> dict:
    async def reached():
        view = await status(system, tracking)
        return view if view["status"] == wanted else None

    return await wait_for(reached, what=f"{tracking} {wanted}")


async def case_row(system: System, tracking: str) -> dict:
    async with httpx.AsyncClient(timeout=30) as client:
        return await system.case(client, tracking)


async def act(system: System, tracking: str, action: str, body: dict) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await system.act(client, tracking, action, body)


async def test_the_clock_pauses_for_the_beneficiary_transfers_keep_it_and_a_replay_rebuilds_routing(shared: System):
    created = await post(shared, "intake", "/api/v1/requests",
                         submission(1, plan=("iqama", "renew", "holder"), portal="absher", region="asir"), "absher")
    assert created.status_code == 201, created.text
    tracking = created.json()["tracking_number"]
    routed = await until_status(shared, tracking, "routed")
    assert routed["department"] == "residency-makkah"  # Asir is served by the Makkah office
    due = datetime.fromisoformat(routed["due_at"])
    calendar = load_calendar()
    assert due.astimezone(calendar.timezone).hour == 15 and calendar.is_working_day(
        due.astimezone(calendar.timezone).date())
    await wait_for(lambda: _case_open(shared, tracking), what="the case in the officers' queue")

    question = "يرجى إرفاق صورة واضحة من جواز السفر"
    asked = await act(shared, tracking, "request-information", {"question": question})
    assert asked.status_code == 200 and asked.json()["status"] == "awaiting_information"
    assert (await act(shared, tracking, "request-information", {"question": "again?"})).status_code == 409
    waiting = await until_status(shared, tracking, "information_requested")
    assert waiting["question"] == question

    async def paused():
        view = await status(shared, tracking)
        return view if any(step["type"] == "SlaPaused" for step in view["history"]) else None

    assert (await wait_for(paused, what="the paused clock"))["due_at"] is None
    answer = {"account_id": samples.ACCOUNT, "answer": "Attached.",
              "attachments": [samples.attachment("passport-copy", samples.PNG, "passport.png")]}
    answered = await post(shared, "intake", f"/api/v1/requests/{tracking}/information", answer, "absher")
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "in_progress"
    again = await post(shared, "intake", f"/api/v1/requests/{tracking}/information", answer, "absher")
    assert again.status_code == 409

    async def resumed():
        view = await status(shared, tracking)
        return view if any(step["type"] == "SlaResumed" for step in view["history"]) else None

    new_due = datetime.fromisoformat((await wait_for(resumed, what="the resumed clock"))["due_at"])
    assert new_due >= due  # a pause never makes a case due earlier

    refused = await act(shared, tracking, "transfer", {"to_department": "nowhere", "reason": "testing"})
    assert refused.status_code == 200  # casework asks; routing checks
    moved = await act(shared, tracking, "transfer", {"to_department": "passports", "reason": "a passport matter"})
    assert moved.status_code == 200

    async def transferred():
        row = await case_row(shared, tracking)
        return row if row["department"] == "passports" else None

    row = await wait_for(transferred, what="the case with passports")
    assert datetime.fromisoformat(row["due_at"]) == new_due  # the clock did not restart
    await shared.resolve([tracking])
    await until_status(shared, tracking, "resolved")

    # The log alone rebuilds routing's read model, and every first routing follows from what it recorded.
    async def all_published():
        return await shared.scalar("routing", "SELECT count(*) FROM outbox") == 0

    await wait_for(all_published, what="routing's outbox drained")
    log = [envelope_of(r) for r in await shared.read_topic(topics.CASE_EVENTS, until=8)]
    events = [(Envelope.model_validate(e), decode_event(Envelope.model_validate(e))) for e in log]
    types = [e.type for e, _ in events if e.case_id == tracking]
    assert "TransferRefused" in types and types.count("Routed") == 2 and "SlaPaused" in types
    live = await shared.as_folded("routing")
    assert live["cases"][(tracking,)]["department"] == "passports"
    assert live["cases"][(tracking,)]["status"] == "resolved"
    submitted = {e.case_id: ev for e, ev in events if isinstance(ev, RequestSubmitted)}
    first = {}
    for envelope, event in events:
        if isinstance(event, Routed):
            first.setdefault(envelope.case_id, event)
    assert first and all(rederive(submitted[case_id], routed, rules=load(), calendar=calendar) == []
                         for case_id, routed in first.items())


async def _case_open(system: System, tracking: str) -> bool:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(system.url("casework", f"/api/v1/cases/{tracking}"), headers=system.auditor())
    return response.status_code == 200 and response.json()["status"] == "open"
