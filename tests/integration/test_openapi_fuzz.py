"""schemathesis over intake's and casework's OpenAPI documents, each application in this process with its lifespan
run (migrations, relay, consumer) on the test broker and database, intake's with a valid portal key: no input gets
a 5xx, and every answer is one the document declares (status, content type, body and headers), and a request the
document forbids is refused.

Bounded: `EXAMPLES` generated cases per operation, both schema-valid and schema-breaking ones.
"""

import asyncio
import json
import uuid
from pathlib import Path

import pytest
import schemathesis
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

from intake.keys import issue_keys
from services.app import create_app, service_database
from tawasul import system

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
def casework_api(infra):
    return api("casework", configured("casework", infra))


def operations(name: str) -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) for every operation in `name`'s committed document (the served one, as `test_openapi`
    holds): schema-valid cases for each, schema-breaking ones for each that takes any input."""
    document = json.loads((Path(system.service(name).migrations).parent / "openapi.json").read_text())
    return [
        (method.upper(), path, mode)
        for path, item in document["paths"].items() for method, operation in item.items()
        for mode in (MODES if operation.get("parameters") or operation.get("requestBody") else MODES[:1])
    ]


def fuzz(schema, method: str, path: str, mode: GenerationMode, headers: dict[str, str]) -> int:
    """Up to `EXAMPLES` cases of `mode` for one operation, each sent and checked (hypothesis shrinks a failure);
    how many were sent."""
    sent = 0

    @bounded
    @given(case=schema[path][method].as_strategy(generation_mode=mode))
    def each(case) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    each()
    return sent


bounded = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


def fuzz_every_operation(schema, name: str, headers: dict[str, str]) -> None:
    """Every operation of `name` in every mode, in one test (schemathesis' pytest plugin ends an application's
    lifespan with the test that started it, and starting one costs seconds); the failures are reported together."""
    failures, sent = [], 0
    for method, path, mode in operations(name):
        try:
            sent += fuzz(schema, method, path, mode, headers)
        except Exception as error:  # noqa: BLE001  (each is reported below, with the operation it came from)
            failures.append(f"{method} {path}, {mode.value} cases:\n{error}")
    print(f"{name}: {sent} generated requests over {len(operations(name))} operations and modes")
    assert not failures, "\n\n".join(failures)


def test_intake_answers_every_generated_request_as_its_document_says(intake_api, portal_key):
    fuzz_every_operation(intake_api, "intake", {"X-Api-Key": portal_key})


def test_casework_answers_every_generated_request_as_its_document_says(casework_api):
    fuzz_every_operation(casework_api, "casework", {})
