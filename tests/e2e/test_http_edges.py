"""What schemathesis found at the HTTP edges (tests/integration/test_openapi_fuzz.py), each kept as a plain
case: every one is a 4xx that says why, where it was a 500 or an answer the document did not declare."""

import httpx
import pytest

from tests.system import System

pytestmark = pytest.mark.e2e

MULTIPART = "multipart/form-data; boundary=7c5156fb"


async def portal(system: System, method: str, path: str, **kwargs) -> httpx.Response:
    headers = {"X-Api-Key": system.keys["absher"], **kwargs.pop("headers", {})}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(method, system.url("intake", path), headers=headers, **kwargs)


async def officer(system: System, method: str, path: str, **kwargs) -> httpx.Response:
    headers = {**system.officer(), **kwargs.pop("headers", {})}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(method, system.url("casework", path), headers=headers, **kwargs)


async def test_a_multipart_form_that_cannot_be_parsed_is_a_422_that_says_so(shared: System):
    response = await portal(shared, "POST", "/api/v1/requests", content=b"--7c5156fb\r\nNone--7c5156fb--\r\n",
                            headers={"content-type": MULTIPART})
    assert response.status_code == 422, response.text
    [reason] = response.json()["reasons"]
    assert reason["code"] == "malformed_submission" and "multipart form cannot be read" in reason["message_en"]


async def test_an_answer_or_a_lookup_that_does_not_fit_is_a_422_with_reasons_like_a_submission_s(shared: System):
    not_json = await portal(shared, "POST", "/api/v1/requests/TW2600000014/information", content=b"\x00",
                            headers={"content-type": "application/json"})
    assert not_json.status_code == 422
    assert [r["code"] for r in not_json.json()["reasons"]] == ["malformed_submission"]

    bad_account = await portal(shared, "GET", "/api/v1/requests/TW2600000014", params={"account_id": "12"})
    assert bad_account.status_code == 422
    assert [(r["code"], r["field"]) for r in bad_account.json()["reasons"]] == [
        ("invalid_identity_number", "account_id")]
    assert "12" not in bad_account.text.replace("TW2600000014", "")  # the input is never repeated


@pytest.mark.parametrize("offset", ["9223372036854775808", "+5", "5.0", " 5", "-1"])
async def test_a_queue_offset_that_is_not_a_small_whole_number_in_digits_is_a_422(shared: System, offset: str):
    response = await officer(shared, "GET", "/api/v1/cases", params={"offset": offset})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


async def test_a_body_that_is_not_utf8_is_a_declared_400_and_a_case_id_with_a_nul_a_422(shared: System):
    not_utf8 = await officer(shared, "POST", "/api/v1/cases/TW2600000014/resolve", content=b"\x1e\xff",
                             headers={"content-type": "application/json"})
    assert not_utf8.status_code == 400, not_utf8.text
    nul = await officer(shared, "GET", "/api/v1/cases/TW26%0000014")
    assert nul.status_code == 422, nul.text
