"""A case's whole lifecycle over the real broker and database, with two casework processes: claimed, noted,
assigned, released, a stale action refused naming what changed; the clock's warning, breach and escalation each
once; a question left unanswered closes the case once, and the beneficiary is told; a rebuild of casework emits
nothing and gives the same queue; and an internal note reaches nothing the beneficiary's side keeps or receives."""

import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from casework.domain import NO_RESPONSE_REPLY
from services.supervisor import Child
from tawasul import system as tawasul
from tests import samples
from tests.e2e.conftest import running
from tests.infra import free_port
from tests.system import System, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
async def two_caseworks(infra, tmp_path_factory):
    """A system whose routing looks for passed deadlines twice a second, and a second casework process beside the
    first (same group, same database)."""
    directory = tmp_path_factory.mktemp("lifecycle")
    async with running(infra, directory) as system:
        await system.children["routing"].stop()
        system.children["routing"].env = {**system.children["routing"].env, "TAWASUL_SLA_SWEEP_S": "0.5"}
        await system.children["routing"].start()
        await system.wait_healthy("routing")
        port = free_port()
        second = Child("casework-2", tawasul.command("casework"),
                       {**system.children["casework"].env, "TAWASUL_HTTP_PORT": str(port)}, out=system.log)
        await second.start()
        try:
            async def healthy():
                async with httpx.AsyncClient() as client:
                    try:
                        return (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
                    except httpx.TransportError:
                        return False

            await wait_for(healthy, what="the second casework process")
            yield system
        finally:
            await second.stop()


async def submitted(system: System, count: int) -> list[tuple[str, str]]:
    """`count` requests through the portal API, once casework has them open: (tracking number, department)."""
    cases = []
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(count):
            body = samples.submission(n, plan=("iqama", "renew", "holder"), portal="absher")
            created = await client.post(system.url("intake", "/api/v1/requests"), json=body,
                                        headers={"X-Api-Key": system.keys["absher"]})
            assert created.status_code == 201, created.text
            tracking = created.json()["tracking_number"]

            async def opened(tracking=tracking):
                response = await client.get(system.url("casework", f"/api/v1/cases/{tracking}"),
                                            headers=system.auditor())
                return response.status_code == 200 and response.json()["status"] == "open" and response.json()

            cases.append((tracking, (await wait_for(opened, what=f"{tracking} open in casework"))["department"]))
    return cases


async def post(system: System, client: httpx.AsyncClient, case_id: str, action: str, headers: dict,
               body: dict | None = None) -> httpx.Response:
    return await client.post(system.url("casework", f"/api/v1/cases/{case_id}/{action}"), json=body,
                             headers=headers)


async def stored(system: System, service: str, case_id: str) -> Counter:
    return Counter(type_ for (type_,) in await system.rows(
        service, f"SELECT type FROM event_store WHERE stream = '{case_id}'"))


async def test_a_case_is_worked_warned_breached_escalated_and_closed_unanswered_each_once(two_caseworks: System):
    system = two_caseworks
    (worked, department), (late, _) = await submitted(system, 2)
    officer, supervisor = system.officer(department), system.supervisor(department)
    note = f"internal: the applicant's file is at the Riyadh office {uuid.uuid4().hex}"
    async with httpx.AsyncClient(timeout=30) as client:
        claimed = await post(system, client, worked, "claim", officer)
        assert claimed.status_code == 200 and claimed.json()["assignee"].startswith("officer."), claimed.text
        stale = await post(system, client, worked, "notes", supervisor, {"note": "x", "expected_version": 0})
        assert stale.status_code == 409 and "claimed it" in stale.json()["detail"], stale.text
        noted = await post(system, client, worked, "notes", officer,
                           {"note": note, "expected_version": claimed.json()["version"]})
        assert noted.status_code == 200 and noted.json()["notes"] == 1, noted.text
        assert (await post(system, client, worked, "assign", officer, {"officer": "auditor"})).status_code == 403
        other = await post(system, client, worked, "assign", supervisor, {"officer": "auditor"})
        assert other.status_code == 409 and "not an active officer" in other.json()["detail"]
        supervisor_name = "supervisor." + claimed.json()["assignee"].split(".")[1]
        assigned = await post(system, client, worked, "assign", supervisor, {"officer": supervisor_name})
        assert assigned.status_code == 200 and assigned.json()["assignee"] == supervisor_name, assigned.text
        taken = await post(system, client, worked, "claim", officer)
        assert taken.status_code == 409 and f"assigned to {supervisor_name}" in taken.json()["detail"]
        released = await post(system, client, worked, "release", supervisor)
        assert released.status_code == 200 and released.json()["assignee"] is None
        asked = await post(system, client, worked, "request-information", officer,
                           {"question": "Please attach the passport page with the visa."})
        assert asked.status_code == 200 and asked.json()["status"] == "awaiting_information"

        async def paused():
            view = (await client.get(system.url("casework", f"/api/v1/cases/{worked}"), headers=officer)).json()
            return view["paused"] and view["answer_due_at"] and view

        await wait_for(paused, what="the clock paused in casework's queue")

    # The answer deadline passes (set in routing's store, as ten working days would): closed, once, and told.
    async with system.database("routing") as conn:
        await conn.exec_driver_sql(f"UPDATE cases SET answer_due_at = now() - interval '1 minute' "
                                   f"WHERE case_id = '{worked}'")
        await conn.exec_driver_sql(f"UPDATE cases SET warn_at = now() - interval '1 minute' WHERE case_id = '{late}'")
        await conn.commit()

    async def closed():
        view = await case(system, worked)
        return view["status"] == "resolved" and view

    view = await wait_for(closed, what="the unanswered case closed")
    assert view["outcome"] == "closed_no_response"

    async def warned():
        return (await case(system, late))["warned"]

    await wait_for(warned, what="the warning in casework's queue")
    async with system.database("routing") as conn:
        await conn.exec_driver_sql(f"UPDATE cases SET due_at = now() - interval '1 minute' WHERE case_id = '{late}'")
        await conn.commit()

    async def escalated():
        return (await case(system, late))["escalated"]

    await wait_for(escalated, what="the breach escalated")

    async def told():
        async with httpx.AsyncClient(timeout=30) as client:
            status = (await client.get(system.url("intake", f"/api/v1/requests/{worked}"),
                                       params={"account_id": samples.ACCOUNT},
                                       headers={"X-Api-Key": system.keys["absher"]})).json()
        return status["status"] == "resolved" and status

    status = await wait_for(told, what="intake's status resolved")
    assert status["outcome"] == "closed_no_response"
    assert status["public_reply"] in NO_RESPONSE_REPLY.values()  # in the beneficiary's language
    await system.published("routing", "casework")

    routing_events, casework_events = await stored(system, "routing", worked), await stored(system, "casework", worked)
    assert routing_events["AnswerOverdue"] == 1 and casework_events["Resolved"] == 1
    assert casework_events == Counter({"CaseClaimed": 1, "NoteAdded": 1, "CaseAssigned": 1, "CaseReleased": 1,
                                       "InfoRequested": 1, "Resolved": 1})
    late_routing, late_casework = await stored(system, "routing", late), await stored(system, "casework", late)
    assert (late_routing["SlaWarning"], late_routing["SlaBreached"], late_casework["Escalated"]) == (1, 1, 1)

    # A rebuild of casework's read models from the log emits nothing and gives the same rows (it waits for the
    # live ones to take in the last notifications, then compares them table by table).
    rebuilt = await system.rebuild("casework")
    report = "\n".join(rebuilt.lines())
    assert rebuilt.swapped and rebuilt.applied > 0, report
    assert all(model.live == model.tally and model.difference.equal for model in rebuilt.models), report
    assert await stored(system, "casework", late) == late_casework
    await system.as_folded("casework")

    # The note reached nothing the beneficiary's side keeps or receives.
    async def every_notification_sent():
        return await system.scalar("notify", f"SELECT count(*) FROM notifications WHERE case_id = '{worked}' "
                                             "AND status <> 'sent'") == 0 and \
            await system.scalar("notify", f"SELECT count(*) FROM updates WHERE case_id = '{worked}' "
                                          "AND event_type = 'Resolved'") == 1

    await wait_for(every_notification_sent, what="the close told to the beneficiary")
    for service in ("intake", "notify"):
        assert not await containing(system, service, note), f"the note is in {service}'s database"
    assert note not in "".join(Path(m["path"]).read_text(errors="replace") for m in system.mail.messages())
    assert note not in str(system.sms.messages())
    assert "event_store" in await containing(system, "casework", note)  # the search finds it where it is kept


async def case(system: System, case_id: str) -> dict:
    async with httpx.AsyncClient(timeout=30) as client:
        return await system.case(client, case_id)


async def containing(system: System, service: str, text: str) -> list[str]:
    """The tables of `service`'s database with a row whose text holds `text`."""
    tables = [name for (name,) in await system.rows(
        service, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    found = []
    async with system.database(service) as conn:
        for table in tables:
            hit = await conn.exec_driver_sql(f'SELECT 1 FROM "{table}" AS t WHERE t::text LIKE %(pattern)s LIMIT 1',
                                             {"pattern": f"%{text}%"})
            if hit.first() is not None:
                found.append(table)
    return found
