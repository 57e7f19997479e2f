"""Events only from their owners, and cases only from submissions: a forged `Routed` is dead-lettered, and a
`Routed` for a case nobody submitted puts nothing in the officers' queue. (A system of its own: a `Routed` that
names routing but routing never emitted would be folded by a rebuild of routing — telling the log from the stores
is the audit work's.)"""

import json
import uuid

import httpx
import pytest

from contracts import Envelope, Routed, topics
from contracts.topics import REASON_HEADER
from tests.system import System, wait_for

pytestmark = pytest.mark.e2e


def routed(case_id: str, producer: str) -> tuple[bytes, bytes]:
    event = Routed(department="passports", rule="made-up", rules_version="2026.1")
    envelope = Envelope(type=event.TYPE, version=1, case_id=case_id, sequence=1, producer=producer,
                        correlation_id=uuid.uuid4(), data=event.model_dump(mode="json"))
    return case_id.encode(), envelope.model_dump_json().encode()


async def test_a_forged_routed_is_dead_lettered_and_a_routed_without_a_case_opens_none(system: System):
    forged, orphan = f"TWforged{uuid.uuid4().hex[:6]}", f"TWorphan{uuid.uuid4().hex[:6]}"  # well formed
    await system.publish(topics.CASE_EVENTS, [routed(forged, "mallory"), routed(orphan, "routing")])

    async def dead_lettered():
        records = await system.read_topic(topics.dead_letters(topics.CASE_EVENTS), until=1)
        return [r for r in records if r.key == forged.encode()]

    dead = await wait_for(dead_lettered, what="the forged Routed in the dead letters")
    reasons = {dict(record.headers)[REASON_HEADER].decode() for record in dead}
    assert all("Routed is emitted by routing alone, not by 'mallory'" in reason for reason in reasons)

    async def orphan_seen():  # casework has read past the orphan: it keeps its row, waiting for a submission
        return await system.scalar("casework", f"SELECT count(*) FROM queue WHERE case_id = '{orphan}'") == 1

    await wait_for(orphan_seen, what="casework reading the orphan Routed")
    async with httpx.AsyncClient(timeout=10) as client:
        listed = (await client.get(system.url("casework", "/api/v1/cases"), params={"limit": 1000},
                                   headers=system.auditor())).json()
        one = await client.get(system.url("casework", f"/api/v1/cases/{orphan}"), headers=system.auditor())
        resolve = await client.post(system.url("casework", f"/api/v1/cases/{orphan}/resolve"), json={
            "outcome": "completed", "public_reply": "x"}, headers=system.officer("passports"))
    assert orphan not in json.dumps(listed)
    assert (one.status_code, resolve.status_code) == (404, 404)
    assert await system.scalar("casework", f"SELECT count(*) FROM queue WHERE case_id = '{forged}'") == 0
