"""Rebuilds, proven: 500 cases through every path a case can take (resolved each way, information asked and
answered, transferred, closed for no response, breached and escalated), then each service's read models rebuilt
from the log while the services answer queries: the tallies of applied events and the rows equal the live ones,
and nothing is emitted or sent. And a rebuild never goes backwards: after the broker lost its log, a rebuild
refuses to swap in what it could fold, and says to reconcile."""

import asyncio
import time
from collections import Counter

import httpx
import pytest

from services.embedded import EmbeddedKafka
from services.kafka import all_topics
from services.topics import ensure_topics
from tawasul import system as tawasul
from tests import samples
from tests.e2e.conftest import running
from tests.infra import free_port
from tests.system import System, encode, submission, topics, wait_for

pytestmark = pytest.mark.e2e

CASES = 500
PATHS = ("completed", "rejected", "answered", "transferred", "unanswered", "breached")


@pytest.fixture
async def swept(infra, tmp_path_factory):
    """A system whose routing looks for passed deadlines twice a second."""
    async with running(infra, tmp_path_factory.mktemp("rebuild")) as system:
        await system.children["routing"].stop()
        system.children["routing"].env = {**system.children["routing"].env, "TAWASUL_SLA_SWEEP_S": "0.5"}
        await system.children["routing"].start()
        await system.wait_healthy("routing")
        yield system


async def open_cases(system: System) -> list[str]:
    return [case_id for (case_id,) in await system.rows("casework", "SELECT case_id FROM queue "
                                                                   "WHERE status = 'open' ORDER BY case_id")]


async def work(system: System, client: httpx.AsyncClient, case_id: str, path: str, owner: tuple[str, str]) -> None:
    """Take one case down `path`, waiting where another service must answer first."""
    async def case_is(**wanted):
        view = await system.case(client, case_id)
        return all(view[name] == value for name, value in wanted.items()) and view

    async def act(action: str, body: dict | None = None) -> dict:
        response = await system.act(client, case_id, action, body or {})
        assert response.status_code == 200, f"{case_id} {action}: {response.status_code} {response.text}"
        return response.json()

    done = {"outcome": "completed", "public_reply": "تمت معالجة طلبك"}
    if path == "completed":
        await act("claim")
        await act("resolve", done)
    elif path == "rejected":
        await act("notes", {"note": "The fines are not settled."})
        await act("resolve", {"outcome": "rejected", "rejection_reason": "violations_outstanding",
                              "public_reply": "Please settle the fines first."})
    elif path in ("answered", "unanswered"):
        await act("request-information", {"question": "Please attach the passport page with the visa."})
        await wait_for(lambda: case_is(paused=True), what=f"{case_id} paused")
        if path == "unanswered":
            return  # the deadline is passed for it below
        at_intake = system.url("intake", f"/api/v1/requests/{case_id}")
        account, portal = owner[0], {"X-Api-Key": system.keys[owner[1]]}

        async def asked():
            status = await client.get(at_intake, params={"account_id": account}, headers=portal)
            assert status.status_code == 200, status.text
            return status.json()["status"] == "information_requested"

        await wait_for(asked, what=f"{case_id}: the question at intake")
        answered = await client.post(f"{at_intake}/information", headers=portal,
                                     json={"account_id": account, "answer": "Attached."})
        assert answered.status_code == 200, answered.text
        await wait_for(lambda: case_is(status="open", paused=False), what=f"{case_id} answered")
        await act("resolve", done)
    elif path == "transferred":
        department = (await system.case(client, case_id))["department"]
        other = "passports" if department != "passports" else "general-desk"
        await act("transfer", {"to_department": other, "reason": "Its passport is with that office."})
        await wait_for(lambda: case_is(department=other, status="open"), what=f"{case_id} transferred")
        await act("claim")
        await act("resolve", done)
    else:  # breached: its clock is moved on below; an officer notes it first
        await act("notes", {"note": "Waiting for the regional office."})


async def deadline_passes(system: System, column: str, case_ids: list[str], counted: str) -> None:
    """Move `column` of these cases into the past in routing's read model until casework's queue shows the
    consequence (`counted` over the queue reaches their number), then put it back."""
    async with system.database("routing") as conn:
        kept = (await conn.exec_driver_sql(f"SELECT case_id, {column} FROM cases WHERE case_id = ANY(%(ids)s)",
                                           {"ids": case_ids})).all()
        await conn.exec_driver_sql(f"UPDATE cases SET {column} = now() - interval '1 minute' "
                                   "WHERE case_id = ANY(%(ids)s)", {"ids": case_ids})
        await conn.commit()

    async def acted():
        return await system.scalar("casework", f"SELECT {counted} FROM queue") == len(case_ids)

    await wait_for(acted, timeout_s=120, what=f"{column} passed for {len(case_ids)} cases")
    async with system.database("routing") as conn:
        for case_id, value in kept:
            await conn.exec_driver_sql(f"UPDATE cases SET {column} = %(value)s WHERE case_id = %(case)s",
                                       {"value": value, "case": case_id})
        await conn.commit()


async def answering(system: System, case_id: str, owner: tuple[str, str], stop: asyncio.Event,
                    answers: Counter) -> None:
    """Ask every service what its read models say until `stop`, counting the answers by status: casework's queue
    and a case, intake's status of the same case, routing's and notify's health."""
    async with httpx.AsyncClient(timeout=10) as client:
        while not stop.is_set():
            for url, headers, params in (
                (system.url("casework", "/api/v1/cases"), system.auditor(), {"limit": 20}),
                (system.url("casework", f"/api/v1/cases/{case_id}"), system.auditor(), None),
                (system.url("intake", f"/api/v1/requests/{case_id}"), {"X-Api-Key": system.keys[owner[1]]},
                 {"account_id": owner[0]}),
                (system.url("routing", "/healthz"), {}, None),
                (system.url("notify", "/healthz"), {}, None),
            ):
                try:
                    answers[(await client.get(url, headers=headers, params=params)).status_code] += 1
                except httpx.TransportError as error:
                    answers[repr(error)] += 1
            await asyncio.sleep(0.01)


async def settled(system: System) -> None:
    """Until every notification is settled, no consumer is behind and nothing waits to be published."""
    async def quiet():
        ledger = await system.rows("notify", "SELECT count(*) FILTER (WHERE status NOT IN ('sent', 'failed')) "
                                             "FROM notifications")
        healths = [await system.health(name) for name in tawasul.NAMES]
        return ledger == [(0,)] and all((h["consumer"]["lag"], h["relay"]["pending"]) == (0, 0) for h in healths)

    await wait_for(quiet, timeout_s=180, every_s=1, what="every notification settled and every service caught up")
    await asyncio.sleep(2)  # a last NotificationSent's round through the log
    await wait_for(quiet, timeout_s=60, what="still quiet")


async def effects(system: System) -> dict[str, int]:
    """Everything a rebuild must not add to: each store's events, the ledger, what the providers received."""
    counts = {name: await system.scalar(name, "SELECT count(*) FROM event_store") for name in tawasul.NAMES}
    counts["notifications"] = await system.scalar("notify", "SELECT count(*) FROM notifications")
    counts["mail"], counts["sms"] = len(system.mail.messages()), len(system.sms.messages())
    return counts


async def test_500_cases_down_every_path_then_every_read_model_rebuilt_equal_while_serving(swept: System):
    system = swept
    await system.publish(topics.SUBMISSIONS, [encode(submission(n, plan=samples.PLANS[n % len(samples.PLANS)]))
                                              for n in range(CASES)])

    async def all_open():
        return len(await open_cases(system)) == CASES

    await wait_for(all_open, timeout_s=180, what=f"{CASES} open cases in casework")
    cases = await open_cases(system)
    paths = {case_id: PATHS[n % len(PATHS)] for n, case_id in enumerate(cases)}
    owners = {case_id: (account, portal) for case_id, account, portal in await system.rows(
        "intake", "SELECT tracking_number, account_id, portal FROM requests")}
    limit = asyncio.Semaphore(8)

    async def worked(client, case_id):
        async with limit:
            await work(system, client, case_id, paths[case_id], owners[case_id])

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worked(client, case_id) for case_id in cases))

    # The deadlines pass. A test moves time on the only way it can: each deadline is moved into the past in
    # routing's read model for its sweep to find, and put back as the events recorded it once the sweep has acted
    # on it, as if the clock had moved instead. (A deadline left moved would be a difference from the log that a
    # rebuild rightly reports.)
    unanswered = [case_id for case_id, path in paths.items() if path == "unanswered"]
    breached = [case_id for case_id, path in paths.items() if path == "breached"]
    await deadline_passes(system, "answer_due_at", unanswered, "count(*) FILTER (WHERE outcome = "
                                                               "'closed_no_response')")
    await deadline_passes(system, "warn_at", breached, "count(*) FILTER (WHERE warned_due_at IS NOT NULL)")
    await deadline_passes(system, "due_at", breached, "count(*) FILTER (WHERE escalated_due_at IS NOT NULL)")

    await settled(system)
    outcomes = Counter(outcome for (outcome,) in await system.rows("casework", "SELECT outcome FROM queue"))
    ending = {"completed": "completed", "answered": "completed", "transferred": "completed", "rejected": "rejected",
              "unanswered": "closed_no_response", "breached": None}
    assert outcomes == Counter(ending[path] for path in paths.values()), outcomes

    before = await effects(system)
    assert before["notifications"] > 2 * CASES and before["mail"] > CASES
    stop, answers = asyncio.Event(), Counter()
    asking = asyncio.create_task(answering(system, cases[0], owners[cases[0]], stop, answers))
    try:
        for name in tawasul.NAMES:
            live = await system.read_models(name)
            assert all(live.values()), f"{name}: an empty read model proves nothing"
            asked = sum(answers.values())
            started = time.monotonic()
            rebuilt = await system.rebuild(name)
            report = "\n".join(rebuilt.lines())
            assert rebuilt.swapped and not rebuilt.skipped, report
            for model in rebuilt.models:
                assert model.live == model.tally and model.tally.applied > 0, report
                assert model.difference is not None and model.difference.equal, report
                assert model.difference.rows[0] == model.difference.rows[1] == len(live[model.name]), report
            assert await system.read_models(name) == live, f"{name}: the swapped-in tables differ"
            assert sum(answers.values()) > asked, f"{name}: nothing was asked in {time.monotonic() - started} s"
    finally:
        stop.set()
        await asking
    assert set(answers) == {200}, answers
    await asyncio.sleep(2)  # anything a rebuild set off would have been emitted or sent by now
    assert await effects(system) == before


async def test_a_rebuild_after_the_broker_lost_its_log_refuses_and_says_to_reconcile(system: System, tmp_path):
    await system.publish(topics.SUBMISSIONS, [encode(submission(n)) for n in range(20)])

    async def told():  # each request's submission and routing, known to notify
        return await system.rows("notify", "SELECT (SELECT count(*) FROM recipients), count(*) FROM updates") == \
            [(20, 40)]

    await wait_for(told, what="20 recipients and 40 updates in notify")
    live = await system.read_models("notify")
    broker = EmbeddedKafka(port=free_port(), log_path=tmp_path / "tansu.log")  # as `tawasul up` restarts it
    await asyncio.to_thread(broker.start)
    try:
        settings = system.service_settings("notify").model_copy(update={"kafka_bootstrap": broker.bootstrap})
        await ensure_topics(broker.bootstrap, all_topics(settings), settings.topic_partitions)
        refused = await system.rebuild("notify", settings=settings, wait_s=1)
    finally:
        await asyncio.to_thread(broker.stop)
    report = "\n".join(refused.lines())
    assert not refused.swapped and "reconcile" in refused.refused, report
    assert {model.name: len(model.missing) for model in refused.models} == {"recipients": 20, "updates": 40}, report
    assert await system.read_models("notify") == live


async def test_a_rebuild_skips_poison_names_the_rows_that_differ_and_swaps_them_in_only_when_asked(system: System):
    await system.publish(topics.SUBMISSIONS, [encode(submission(n)) for n in range(12)])

    async def routed():
        return len(await open_cases(system)) == 12

    await wait_for(routed, what="12 cases open in casework")
    await settled(system)
    kept = await system.scalar("casework", "SELECT count(*) FROM case_log")
    # A poison message on the log: the live consumer dead-letters it, the rebuild skips it and says why.
    await system.publish(topics.CASE_EVENTS, [(b"TW2600000000", b"not an event at all")])
    await system.read_topic(topics.dead_letters(topics.CASE_EVENTS), until=1)
    [tampered, *_] = await open_cases(system)
    async with system.database("casework") as conn:  # a row changed behind the folds' back
        await conn.exec_driver_sql(f"UPDATE queue SET department = 'elsewhere' WHERE case_id = '{tampered}'")
        await conn.commit()
    refused = await system.rebuild("casework", wait_s=1)
    report = "\n".join(refused.lines())
    assert not refused.swapped and "rows differ" in refused.refused, report
    [queue] = [model for model in refused.models if model.name == "queue"]
    assert queue.difference.changed == [(tampered,)] and queue.difference.columns == {(tampered,): ["department"]}
    assert f"changed: {tampered} (department)" in report
    assert await system.scalar("casework", f"SELECT department FROM queue WHERE case_id = '{tampered}'") == \
        "elsewhere"

    fixed = await system.rebuild("casework", accept_changes=True)
    assert fixed.swapped, "\n".join(fixed.lines())
    [skipped] = fixed.skipped
    assert skipped.reason.startswith("not an event envelope") and "skipped" in "\n".join(fixed.lines())
    assert await system.scalar("casework", f"SELECT department FROM queue WHERE case_id = '{tampered}'") != \
        "elsewhere"

    # A read model new to the service (or older than tallies): empty, with no tally, though the live consumer
    # has seen every message. The rebuild says so, and fills it when asked.
    async with system.database("casework") as conn:
        await conn.exec_driver_sql("TRUNCATE case_log")
        await conn.exec_driver_sql("DELETE FROM read_model_tally WHERE projection = 'case_log'")
        await conn.commit()
    new = await system.rebuild("casework", wait_s=1)
    assert not new.swapped and new.refused.startswith("case_log: the live model saw every message"), new.refused
    filled = await system.rebuild("casework", accept_changes=True)
    assert filled.swapped and await system.scalar("casework", "SELECT count(*) FROM case_log") == kept
    again = await system.rebuild("casework")
    assert again.swapped and all(model.live == model.tally for model in again.models), "\n".join(again.lines())
    await system.as_folded("casework")
