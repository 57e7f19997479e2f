"""Two hundred submissions through the four services as processes, over the real broker and database."""

from collections import Counter, defaultdict

import httpx
import pytest

from contracts import Envelope, RequestSubmitted, Routed, decode_event
from routing.provenance import rederive
from routing.rules import load
from routing.sla import load_calendar
from tawasul import system as tawasul
from tests.system import System, encode, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e

CASES = 200


async def test_every_submission_becomes_one_case_routed_and_resolved_once(system: System):
    bodies = [submission(n) for n in range(CASES)]
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in bodies])

    async def all_open():
        return await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'open'") == CASES

    await wait_for(all_open, what=f"{CASES} open cases in casework")
    case_ids = [case_id for (case_id,) in await system.rows("casework", "SELECT case_id FROM queue")]
    await system.resolve(case_ids)

    await system.published("intake", "routing", "casework")
    records = await system.read_topic(topics.CASE_EVENTS, until=3 * CASES)
    log = [(Envelope.model_validate_json(r.value), decode_event(Envelope.model_validate_json(r.value)))
           for r in sorted(records, key=lambda r: (r.partition, r.offset))]
    history = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        envelope = envelope_of(record)
        assert record.key.decode() == envelope["case_id"]
        if not envelope["type"].startswith("Notification"):
            history[envelope["case_id"]].append(envelope["type"])
    assert len(history) == CASES
    assert {case: types for case, types in history.items() if types != ["RequestSubmitted", "Routed", "Resolved"]} == {}

    results = await system.read_topic(topics.SUBMISSION_RESULTS, until=CASES)
    answers = Counter((r.key.decode(), envelope_of(r)["type"]) for r in results)
    assert answers == Counter({(body["submission_id"], "SubmissionAccepted"): 1 for body in bodies})

    assert await system.scalar("intake", "SELECT count(*) FROM submissions WHERE status = 'accepted'") == CASES
    assert await system.rows("routing", "SELECT count(DISTINCT case_id), count(*) FROM cases") == [(CASES, CASES)]
    assert await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'resolved'") == CASES
    assert await system.scalar("notify", "SELECT count(*) FROM recipients") == CASES
    expected_notifications = sum(3 * len(body["channels"]) for body in bodies)

    async def settled():
        return (
            await system.scalar("notify", "SELECT count(*) FROM notifications WHERE status = 'sent'")
            >= expected_notifications
            and await system.scalar("routing", "SELECT count(*) FROM cases WHERE status = 'resolved'") == CASES
        )

    await wait_for(settled, what="every notification sent, routing's open count down")

    async def caught_up():  # every consumer has read the last NotificationSent too; nothing waits to be published
        healths = [await system.health(service) for service in ("intake", "routing", "casework", "notify")]
        return all((h["consumer"]["lag"], h["relay"]["pending"]) == (0, 0) for h in healths)

    await wait_for(caught_up, timeout_s=30, what="no lag and empty outboxes")
    assert await system.scalar("notify", "SELECT count(*) FROM notifications") == expected_notifications

    # Every service's read models are what the log folds to, through the very folds the services run, row for row;
    # and `tawasul rebuild` of each gives the same tables again.
    for name in tawasul.NAMES:
        live = await system.as_folded(name)
        assert all(live.values()), f"{name}: an empty read model proves nothing"
        rebuilt = await system.rebuild(name)
        assert rebuilt.swapped and rebuilt.applied > 0, "\n".join(rebuilt.lines())
        assert await system.read_models(name) == live, f"{name}: the rebuilt read models differ from the live ones"

    # Each routing decision follows from what it recorded.
    rules, calendar = load(), load_calendar()
    submitted = {e.case_id: event for e, event in log if isinstance(event, RequestSubmitted)}
    problems = {e.case_id: rederive(submitted[e.case_id], event, rules=rules, calendar=calendar)
                for e, event in log if isinstance(event, Routed)}
    assert {case_id: p for case_id, p in problems.items() if p} == {}
    assert any(event.loads for _, event in log if isinstance(event, Routed))  # least-loaded choices were made


async def pages(system: System, **params) -> tuple[list[dict], set[int]]:
    """Every case of the queue, page by page following `Link`, and the totals each page gave."""
    cases, totals = [], set()
    url = system.url("casework", "/api/v1/cases")
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url, params=params, headers=system.auditor())
        while True:
            assert response.status_code == 200, response.text
            cases += response.json()
            totals.add(int(response.headers["X-Total-Count"]))
            if "next" not in response.links:
                return cases, totals
            response = await client.get(response.links["next"]["url"], headers=system.auditor())


async def test_the_queue_is_paged_with_its_total(system: System):
    await system.publish(topics.SUBMISSIONS, [encode(submission(n)) for n in range(45)])

    async def all_open():
        return await system.scalar("casework", "SELECT count(*) FROM queue WHERE status = 'open'") == 45

    await wait_for(all_open, what="45 open cases")
    cases, totals = await pages(system, status="open", limit=20)
    assert totals == {45} and len(cases) == 45 and len({case["case_id"] for case in cases}) == 45
    assert (await pages(system, status="resolved"))[1] == {0}
