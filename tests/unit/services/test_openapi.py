"""Each service's OpenAPI document is committed beside it and is the one the code serves."""

import json
from pathlib import Path

import pytest

from services.app import openapi_document
from tawasul import system


@pytest.mark.parametrize("name", system.NAMES)
def test_the_committed_document_is_the_served_one(name: str) -> None:
    service = system.service(name)
    path = Path(service.migrations).parent / "openapi.json"
    assert path.exists(), f"no {path}: run `tawasul schemas` and commit it"
    assert json.loads(path.read_text()) == openapi_document(service), f"{path} is stale: run `tawasul schemas`"


def test_intake_documents_both_request_bodies() -> None:
    document = openapi_document(system.service("intake"))
    body = document["paths"]["/api/v1/requests"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    assert "PortalSubmission" in document["components"]["schemas"] or "$ref" not in str(body["application/json"])
