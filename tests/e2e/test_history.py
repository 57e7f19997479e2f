"""A case's whole history as an auditor reads it (`tawasul audit history`): transferred, asked for information,
answered, noted and resolved — every step in order, across the four stores, with who acted, what caused it, the
versions it was decided under, internal steps marked internal, no ID number in full; and `--as-of` at three
moments giving each service's status, department and due time then."""

import asyncio
import json
import os
import sys
from datetime import datetime, timedelta

import httpx

from tests import samples
from tests.e2e.test_lifecycle import submitted
from tests.system import System, wait_for


async def audit(system: System, *args: str) -> tuple[int, str]:
    env = {**os.environ, "TAWASUL_DATABASE_URL": system.infra.database_url,
           "TAWASUL_KAFKA_BOOTSTRAP": system.infra.kafka_bootstrap, "TAWASUL_NAMESPACE": system.namespace}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "tawasul", "audit", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode, out.decode() + err.decode()


async def test_the_history_shows_every_step_in_order_and_as_of_gives_each_service_s_view(shared: System):
    system = shared
    [(case_id, first)] = await submitted(system, 1)
    second = "passports" if first != "passports" else "general-desk"
    async with httpx.AsyncClient(timeout=30) as client:
        async def at(department: str, status: str, paused: bool | None = None):
            view = await system.case(client, case_id)
            return view["department"] == department and view["status"] == status and \
                paused in (None, view["paused"]) and view

        moved = await system.act(client, case_id, "transfer", {"to_department": second, "reason": "its passport"})
        assert moved.status_code == 200, moved.text
        await wait_for(lambda: at(second, "open"), what="the transfer")
        asked = await system.act(client, case_id, "request-information", {"question": "Which passport?"})
        assert asked.status_code == 200, asked.text
        await wait_for(lambda: at(second, "awaiting_information", paused=True), what="the question, the clock paused")

        async def asked_at_intake() -> bool:
            status = await client.get(system.url("intake", f"/api/v1/requests/{case_id}"),
                                      params={"account_id": samples.ACCOUNT},
                                      headers={"X-Api-Key": system.keys["absher"]})
            return status.json()["status"] == "information_requested"

        await wait_for(asked_at_intake, what="the question at intake")
        answered = await client.post(system.url("intake", f"/api/v1/requests/{case_id}/information"),
                                     json={"account_id": samples.ACCOUNT, "answer": "The old one."},
                                     headers={"X-Api-Key": system.keys["absher"]})
        assert answered.status_code == 200, answered.text
        await wait_for(lambda: at(second, "open", paused=False), what="the answer, the clock running again")
        noted = await system.act(client, case_id, "notes", {"note": "Checked with the office."})
        assert noted.status_code == 200, noted.text
        resolved = await system.act(client, case_id, "resolve", {"outcome": "completed", "public_reply": "Done."})
        assert resolved.status_code == 200, resolved.text

    async def told() -> bool:
        code, out = await audit(system, "history", case_id, "--format", "json")
        return code == 0 and "NotificationSent" in [e["type"] for e in json.loads(out)["events"]
                                                     if e["details"].get("notified_event_type") == "Resolved"]

    await wait_for(told, timeout_s=90, what="the resolution told")
    code, out = await audit(system, "history", case_id, "--format", "json")
    events = json.loads(out)["events"]
    types = [event["type"] for event in events]
    steps = ["RequestSubmitted", "Routed", "TransferRequested", "Routed", "InfoRequested", "SlaPaused",
             "InfoProvided", "SlaResumed", "NoteAdded", "Resolved"]
    assert [t for t in types if t in steps] == steps, types
    by_type = {event["type"]: event for event in events}
    assert by_type["RequestSubmitted"]["actor"] == "portal:absher" and by_type["InfoProvided"]["actor"] == \
        "beneficiary"
    assert by_type["NoteAdded"]["public"] is False and by_type["TransferRequested"]["public"] is False
    assert by_type["Resolved"]["public"] is True and by_type["NoteAdded"]["actor"].startswith("officer:")
    assert by_type["SlaPaused"]["caused_by"] == "InfoRequested (casework)"
    routed = [event for event in events if event["type"] == "Routed"]
    assert routed[1]["caused_by"] == "TransferRequested (casework)"
    assert {"rules_version", "calendar_version"} <= set(routed[0]["versions"])
    assert any("templates_version" in event["versions"] for event in events if event["type"] == "NotificationSent")
    assert samples.ACCOUNT not in out and all(event["at"].endswith("+03:00") for event in events)

    def moment(kind: str, nth: int = 0) -> str:  # just after the nth event of `kind`
        at = datetime.fromisoformat([e for e in events if e["type"] == kind][nth]["at"])
        return (at + timedelta(milliseconds=1)).isoformat()

    code, out = await audit(system, "history", case_id, "--as-of", moment("Routed"), "--format", "json")
    said = json.loads(out)["read_models"]
    assert said["casework.queue"]["status"] == "open" and said["casework.queue"]["department"] == first
    assert said["routing.cases"]["department"] == first
    assert "due_at" in said["casework.queue"]
    code, out = await audit(system, "history", case_id, "--as-of", moment("InfoRequested"), "--format", "json")
    said = json.loads(out)["read_models"]
    assert said["casework.queue"]["status"] == "awaiting_information"
    assert said["casework.queue"]["department"] == second
    code, out = await audit(system, "history", case_id, "--as-of", moment("Resolved"), "--format", "json")
    said = json.loads(out)["read_models"]
    assert said["casework.queue"]["status"] == "resolved" and said["casework.queue"]["outcome"] == "completed"
    code, text = await audit(system, "history", case_id)
    assert code == 0 and "internal" in text and "NoteAdded" in text
    code, table = await audit(system, "history", case_id, "--format", "csv")
    assert code == 0 and table.splitlines()[0].startswith("at,producer,type")
