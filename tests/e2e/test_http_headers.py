"""Every HTTP answer of every service carries the security headers, and none names the server software."""

import httpx
import pytest

from tawasul import system as tawasul
from tests.system import System

pytestmark = pytest.mark.e2e

EXPECTED = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize("name", tawasul.NAMES)
async def test_every_answer_is_uncached_unframed_and_names_no_server(shared: System, name: str):
    async with httpx.AsyncClient(timeout=10) as client:
        answers = [
            await client.get(shared.url(name, "/healthz")),
            await client.get(shared.url(name, "/no/such/page")),
            await client.get(shared.url(name, "/openapi.json")),
        ]
        if name == "intake":
            answers.append(await client.get(shared.url(name, "/api/v1/catalog")))
            answers.append(await client.post(shared.url(name, "/api/v1/requests"), json={}))  # 401: no key
    assert [a.status_code for a in answers][:3] == [200, 404, 200]
    for answer in answers:
        assert {k: answer.headers.get(k) for k in EXPECTED} == EXPECTED, answer.url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert "server" not in answer.headers, answer.url
