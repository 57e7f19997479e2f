"""schemathesis over intake's and casework's OpenAPI documents, each application in this process with its lifespan
run (migrations, relay, consumer) on the test broker and database, intake's with a valid portal key and casework's
with an officer's: no input gets a 5xx, and every answer is one the document declares (status, content type, body
and headers), and a request the document forbids is refused.

Bounded: `EXAMPLES` generated cases per operation, both schema-valid and schema-breaking ones.
"""

import asyncio
import base64
import hashlib
import json
import uuid
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import schemathesis
from aiokafka import AIOKafkaProducer
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from contracts import topics
from intake.keys import issue_keys
from services.app import create_app, service_database
from tawasul import system
from tests import samples
from tests.system import casework_keys, wait_for

EXAMPLES = 60
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]
GENEROUS = {"portal_rate_per_s": 1e6, "portal_burst": 10**6, "auth_failure_rate_per_s": 1e6,
            "auth_failure_burst": 10**6}
"""Throttles opened wide, so every case reaches the code behind them (429 is declared and would pass anyway)."""


MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def configured(name: str, infra, **overrides):
    """`name`'s settings on the test infrastructure, in a namespace of their own."""
    options = {"database_url": infra.database_url, "kafka_bootstrap": infra.kafka_bootstrap,
               "namespace": f"fuzz{uuid.uuid4().hex[:8]}", **overrides}
    return system.service(name).settings().model_copy(update=options)


def api(name: str, settings):
    """The service's application, reached in process; the first request runs its lifespan (migrated, consuming)."""
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(system.service(name), settings))


@pytest.fixture(scope="module")
def intake_settings(infra):
    return configured("intake", infra, **GENEROUS)


@pytest.fixture(scope="module")
def portal_key(intake_settings) -> str:
    async def issue() -> str:
        async with service_database(system.service("intake"), intake_settings) as sessions:
            return (await issue_keys(sessions, [("absher", "portal")], "fuzz"))["absher"]

    return asyncio.run(issue())


@pytest.fixture(scope="module")
def intake_api(intake_settings, portal_key):
    return api("intake", intake_settings)


@pytest.fixture(scope="module")
def own_request(intake_api, portal_key) -> tuple[dict[str, str], dict[str, str]]:
    """A request of the key's portal and account, submitted through the API: the (path, query) its lookups,
    attachment and answer are fuzzed on as well."""
    body = samples.submission(1, plan=("iqama", "renew", "holder"), portal="absher")  # the holder: no link needed
    answer = intake_api["/api/v1/requests"]["POST"].Case(body=body, media_type="application/json").call(
        headers={"X-Api-Key": portal_key})
    assert answer.status_code == 201, answer.text
    sha256 = hashlib.sha256(base64.b64decode(body["attachments"][0]["data_base64"])).hexdigest()
    return ({"tracking_number": answer.json()["tracking_number"], "sha256": sha256},
            {"account_id": body["account_id"]})


@pytest.fixture(scope="module")
def casework_settings(infra):
    return configured("casework", infra)


@pytest.fixture(scope="module")
def officer_key(casework_settings) -> str:
    """An API key of an officer of the department the seeded cases are routed to."""
    return asyncio.run(casework_keys(casework_settings))["residency-riyadh"]


@pytest.fixture(scope="module")
def casework_api(casework_settings, officer_key):
    return api("casework", casework_settings)


LIVE = {"/api/v1/cases/{case_id}": "TW2600000023", "/api/v1/cases/{case_id}/resolve": "TW2600000038",
        "/api/v1/cases/{case_id}/request-information": "TW2600000046",
        "/api/v1/cases/{case_id}/transfer": "TW2600000055", "/api/v1/cases/{case_id}/claim": "TW2600000063",
        "/api/v1/cases/{case_id}/notes": "TW2600000071", "/api/v1/cases/{case_id}/release": "TW2600000089"}
"""An open case of its own for each operation on one case an officer may do, so generated actions meet a real
case's state (assigning is a supervisor's: the officer's key meets the guard)."""
REACHED = {"/api/v1/cases/{case_id}/release": {409}}  # nobody has the case: released by nobody
"""The statuses that show an operation reached its live case, where they are not 200."""


@pytest.fixture(scope="module")
def open_cases(casework_api, casework_settings) -> dict[str, str]:
    """`LIVE`'s cases submitted and routed on the case log, as intake and routing publish them, and folded into
    casework's queue by its own consumer."""
    records = [(case_id.encode(), envelope.model_copy(update={"case_id": case_id}).model_dump_json().encode())
               for case_id in LIVE.values() for envelope, _ in samples.life()[:2]]  # RequestSubmitted, Routed

    async def publish_and_wait() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=casework_settings.kafka_bootstrap)
        await producer.start()
        try:
            for key, value in records:
                await producer.send_and_wait(casework_settings.topic(topics.CASE_EVENTS), value, key=key)
        finally:
            await producer.stop()
        async with service_database(system.service("casework"), casework_settings) as sessions:
            async def opened() -> bool:
                async with sessions() as session:
                    return await session.scalar(text(
                        "SELECT count(*) FROM queue WHERE status = 'open' AND case_id = ANY(:ids)"
                    ), {"ids": list(LIVE.values())}) == len(LIVE)

            await wait_for(opened, what="casework folding the seeded cases")

    asyncio.run(publish_and_wait())
    return LIVE


@cache
def operations(name: str) -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) for every operation in `name`'s committed document (the served one, as `test_openapi`
    holds): schema-valid cases for each, schema-breaking ones for each that takes any input."""
    document = json.loads((Path(system.service(name).migrations).parent / "openapi.json").read_text())
    return [
        (method.upper(), path, mode)
        for path, item in document["paths"].items() for method, operation in item.items()
        for mode in (MODES if operation.get("parameters") or operation.get("requestBody") else MODES[:1])
    ]


def fuzz(schema, method: str, path: str, mode: GenerationMode, headers: dict[str, str],
         fixed: dict[str, str] | None = None, query: dict[str, str] | None = None) -> Counter[int]:
    """Up to `EXAMPLES` cases of `mode` for one operation (with `fixed` path parameters), each sent and checked
    (hypothesis shrinks a failure); how many got each status."""
    statuses: Counter[int] = Counter()

    @bounded
    @given(case=schema[path][method].as_strategy(generation_mode=mode, path_parameters=fixed, query=query))
    def each(case) -> None:
        statuses[case.call_and_validate(headers=headers, checks=CHECKS).status_code] += 1

    each()
    return statuses


bounded = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


Live = dict[str, tuple[dict[str, str], dict[str, str] | None, set[int]]]
"""Path → (its fixed path parameters, its fixed query, the statuses that show the live thing was reached)."""


def fuzz_every_operation(schema, name: str, headers: dict[str, str], live: Live | None = None) -> None:
    """Every operation of `name` in every mode, in one test (schemathesis' pytest plugin ends an application's
    lifespan with the test that started it, and starting one costs seconds), and those in `live` again on a real
    case or request of their own; the failures are reported together."""
    live = live or {}
    runs = [(method, path, mode, None, None) for method, path, mode in operations(name)]
    runs += [(method, path, GenerationMode.POSITIVE, *live[path][:2])
             for method, path in dict.fromkeys((m, p) for m, p, _ in operations(name)) if path in live]
    failures, sent = [], 0
    for method, path, mode, fixed, query in runs:
        try:
            statuses = fuzz(schema, method, path, mode, headers, fixed, query)
        except Exception as error:  # noqa: BLE001  (each is reported below, with the operation it came from)
            failures.append(f"{method} {path}, {mode.value} cases{f' on {fixed}' if fixed else ''}:\n{error}")
            continue
        sent += statuses.total()
        if fixed and not set(statuses) & live[path][2]:  # the live thing was reached, or this run proved nothing
            failures.append(f"{method} {path} on {fixed}: never reached it ({dict(statuses)})")
    print(f"{name}: {sent} generated requests over {len(runs)} runs")
    assert not failures, "\n\n".join(failures)


def test_intake_answers_every_generated_request_as_its_document_says(intake_api, portal_key, own_request):
    path_parameters, query = own_request
    tracking = {"tracking_number": path_parameters["tracking_number"]}
    fuzz_every_operation(intake_api, "intake", {"X-Api-Key": portal_key}, live={
        "/api/v1/requests/{tracking_number}": (tracking, query, {200}),
        "/api/v1/requests/{tracking_number}/attachments/{sha256}": (path_parameters, query, {200}),
        "/api/v1/requests/{tracking_number}/information": (tracking, None, {409, 422}),  # not awaiting an answer
    })


def test_casework_answers_every_generated_request_as_its_document_says(casework_api, officer_key, open_cases):
    fuzz_every_operation(casework_api, "casework", {"Authorization": f"Bearer {officer_key}"},
                         live={path: ({"case_id": case}, None, REACHED.get(path, {200}))
                               for path, case in open_cases.items()})
