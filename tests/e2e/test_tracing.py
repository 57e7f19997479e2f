"""One trace per request, across every Kafka hop: the portal's trace runs through all four services."""

import secrets

import httpx
import pytest

from tests.system import System, encode, submission, topics, wait_for

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "routing", "casework", "notify")


def traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def trace_ids(system: System, service: str) -> set[str]:
    return {span["context"]["trace_id"].removeprefix("0x") for span in system.spans(service)}


async def test_a_portal_trace_runs_through_every_service_and_an_officer_request_continues_its_own(system: System):
    bodies = [submission(n) for n in range(3)]
    traces = [traceparent() for _ in bodies]
    await system.publish(
        topics.SUBMISSIONS,
        [(*encode(body), [("traceparent", header.encode())]) for body, (_, header) in zip(bodies, traces, strict=True)],
    )

    async def seen_everywhere():
        return all({trace_id for trace_id, _ in traces} <= trace_ids(system, service) for service in SERVICES)

    await wait_for(seen_everywhere, what="each portal trace in intake, routing, casework and notify")
    for service in SERVICES:
        consumer_spans = [s for s in system.spans(service) if s["kind"] == "SpanKind.CONSUMER"]
        assert consumer_spans and all(s["attributes"]["messaging.system"] == "kafka" for s in consumer_spans)
        traced = [s for s in consumer_spans if not s["attributes"]["messaging.destination.name"].endswith("registry")]
        assert all(s["parent_id"] for s in traced), "every consumer span continues a trace (the registry sends none)"

    ids = ", ".join(f"'{body['submission_id']}'" for body in bodies)
    own = [tn for (tn,) in await system.rows("intake", f"SELECT tracking_number FROM submissions "
                                                        f"WHERE submission_id IN ({ids})")]

    async def a_routed_case():  # an officer acts on one of these cases, once routing has put it in the queue
        cases = ", ".join(f"'{tn}'" for tn in own)
        return await system.scalar("casework", f"SELECT case_id FROM queue WHERE status = 'open' "
                                               f"AND case_id IN ({cases}) LIMIT 1")

    case_id = await wait_for(a_routed_case, what="a case in the officers' queue")
    officer_trace, header = traceparent()
    async with httpx.AsyncClient(timeout=10) as client:
        department = (await system.case(client, case_id))["department"]
        response = await client.post(
            system.url("casework", f"/api/v1/cases/{case_id}/resolve"),
            json={"outcome": "completed", "public_reply": "Done"},
            headers={"traceparent": header, **system.officer(department)},
        )
    assert response.status_code == 200, response.text

    async def resolution_traced():
        return officer_trace in trace_ids(system, "routing") and officer_trace in trace_ids(system, "notify")

    await wait_for(resolution_traced, what="the officer's trace in routing and notify, through Resolved")
    server_spans = [s for s in system.spans("casework") if s["kind"] == "SpanKind.SERVER"]
    assert officer_trace in {s["context"]["trace_id"].removeprefix("0x") for s in server_spans}
