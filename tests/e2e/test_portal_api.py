"""Intake's HTTP API as a portal uses it: keys, rate limit, idempotency across a restart, status lookup."""

import hashlib
import uuid

import httpx
import pytest

from intake.domain import tracking_number
from tests import samples
from tests.system import System, encode, submission, topics, wait_for

pytestmark = pytest.mark.e2e


MISTYPED = "TW26000000010"
RATE = 0.2
"""Lookups a second each portal may make after its burst: one every five seconds, so a slow machine's calls
cannot refill the bucket while a test spends it."""


def fresh(n: int = 1, **overrides) -> dict:
    return submission(n, plan=("iqama", "renew", "holder"), portal="absher", **overrides)


async def call(system: System, method: str, path: str, key: str | None = "absher", **kwargs) -> httpx.Response:
    headers = {**kwargs.pop("headers", {}), **({"X-Api-Key": system.keys.get(key, key)} if key else {})}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(method, system.url("intake", path), headers=headers, **kwargs)


@pytest.fixture
async def intake(infra, tmp_path_factory):
    system = System(infra, tmp_path_factory.mktemp("portal"), traces=False,
                    env={"TAWASUL_PORTAL_RATE_PER_S": str(RATE), "TAWASUL_PORTAL_BURST": "5",
                         "TAWASUL_AUTH_FAILURE_RATE_PER_S": str(RATE), "TAWASUL_AUTH_FAILURE_BURST": "5"})
    try:
        await system.start(["intake"])
        yield system
    finally:
        await system.stop()


async def test_keys_are_required_and_belong_to_one_portal(intake):
    body = fresh()
    assert (await call(intake, "POST", "/api/v1/requests", key=None, json=body)).status_code == 401
    assert (await call(intake, "POST", "/api/v1/requests", key="tw_portal_forged", json=body)).status_code == 401
    assert (await call(intake, "POST", "/api/v1/requests", key="muqeem", json=body)).status_code == 403
    assert (await call(intake, "POST", "/api/v1/requests", key="officer-1", json=body)).status_code == 403
    assert (await call(intake, "POST", "/api/v1/requests", json=body)).status_code == 201
    stored = await intake.rows("intake", "SELECT key_hash FROM api_keys")
    assert hashlib.sha256(intake.keys["absher"].encode()).hexdigest() in {row[0] for row in stored}
    assert all(key not in {row[0] for row in stored} for key in intake.keys.values())  # only hashes are kept


async def test_requests_without_a_valid_key_are_throttled_per_client_address(intake):
    path = f"/api/v1/requests/{MISTYPED}"
    guesses = [await call(intake, "GET", path, key=key, params={"account_id": samples.ACCOUNT})
               for key in [None, "tw_portal_guess"] * 4]
    statuses = [response.status_code for response in guesses]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 3  # a burst of 5 failures, then one every 5 s
    assert int(guesses[-1].headers["Retry-After"]) >= 1
    valid = await call(intake, "GET", path, params={"account_id": samples.ACCOUNT})
    assert valid.status_code == 400  # a valid key from the same address is not held back


async def test_each_portal_has_its_own_rate_limit(intake):
    async def lookup(key: str = "absher") -> httpx.Response:  # a mistyped number: 400 unless rate-limited
        path = f"/api/v1/requests/{MISTYPED}"
        return await call(intake, "GET", path, key=key, params={"account_id": samples.ACCOUNT})

    statuses = [(await lookup()).status_code for _ in range(8)]
    assert statuses[:5] == [400] * 5 and statuses.count(429) >= 2  # a burst of 5, then one every 5 s
    limited = await lookup()
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 1 / RATE
    assert (await lookup("muqeem")).status_code == 400  # muqeem's bucket is its own

    async def refilled():  # a refused lookup spends nothing, so asking again does not push the refill away
        return (await lookup()).status_code == 400

    await wait_for(refilled, timeout_s=3 / RATE, every_s=0.5, what="absher's bucket refilled")


async def test_the_same_submission_id_gets_the_same_answer_across_a_restart_and_another_body_a_409(intake):
    body = fresh()
    first = await call(intake, "POST", "/api/v1/requests", json=body)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    await intake.children["intake"].stop()
    await intake.children["intake"].start()
    await intake.wait_healthy("intake")

    again = await call(intake, "POST", "/api/v1/requests", json=body)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    changed = await call(intake, "POST", "/api/v1/requests", json={**body, "description": body["description"] + "!"})
    assert changed.status_code == 409 and "different body" in changed.json()["detail"]

    await intake.publish(topics.SUBMISSIONS, [encode(body)])  # the same submission on the other path

    async def consumed():
        return (await intake.health("intake"))["consumer"]["lag"] == 0

    await wait_for(consumed, what="intake reading the repeat")
    cases = await intake.scalar("intake", "SELECT count(*) FROM event_store WHERE type = 'RequestSubmitted' "
                                          f"AND envelope->'data'->>'submission_id' = '{body['submission_id']}'")
    assert cases == 1


async def test_a_body_that_is_not_json_is_a_422_that_says_so(intake):
    response = await call(intake, "POST", "/api/v1/requests", content=b"{not json",
                          headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["reasons"][0]["code"] == "malformed_submission"


async def test_status_lookup_for_the_owner_a_stranger_and_a_mistyped_number(shared: System):
    attachment = samples.PDF + uuid.uuid4().bytes
    body = fresh(attachments=[samples.attachment("iqama-copy", attachment, "my iqama.pdf")])
    created = await call(shared, "POST", "/api/v1/requests", json=body)
    assert created.status_code == 201, created.text
    tracking = created.json()["tracking_number"]
    path = f"/api/v1/requests/{tracking}"
    owner = {"account_id": samples.ACCOUNT}

    async def routed():
        response = await call(shared, "GET", path, params=owner)
        return response.json() if response.json()["status"] == "routed" else None

    view = await wait_for(routed, what="the request routed")
    assert view["department"].startswith("residency-") and view["section"] == "iqama" and view["due_at"]
    assert [step["type"] for step in view["history"]] == ["RequestSubmitted", "Routed"]

    await shared.resolve([tracking])

    async def resolved():
        response = await call(shared, "GET", path, params=owner)
        return response.json() if response.json()["status"] == "resolved" else None

    view = await wait_for(resolved, what="the request resolved")
    assert (view["outcome"], view["public_reply"]) == ("completed", "تمت معالجة طلبك")
    assert "officer" not in str(view)  # no officer ids in the public history

    stranger = await call(shared, "GET", path, params={"account_id": "1000000016"})
    assert stranger.status_code == 404
    typo = tracking[:-1] + str((int(tracking[-1]) + 1) % 10)
    mistyped = await call(shared, "GET", f"/api/v1/requests/{typo}", params=owner)
    assert mistyped.status_code == 400 and "check digit" in mistyped.json()["detail"]
    unknown = await call(shared, "GET", f"/api/v1/requests/{tracking_number(9_999_999, 2026)}", params=owner)
    assert unknown.status_code == 404

    digest = hashlib.sha256(attachment).hexdigest()
    fetched = await call(shared, "GET", f"{path}/attachments/{digest}", params=owner)
    assert fetched.status_code == 200 and fetched.content == attachment
    assert fetched.headers["content-type"] == "application/pdf" and "my%20iqama.pdf" in fetched.headers[
        "content-disposition"]
    by_officer = await call(shared, "GET", f"{path}/attachments/{digest}", key="officer-1")
    assert by_officer.status_code == 200 and by_officer.content == attachment
    by_stranger = await call(shared, "GET", f"{path}/attachments/{digest}", params={"account_id": "1000000016"})
    assert by_stranger.status_code == 404


async def test_another_portal_s_key_gets_404_for_status_attachment_and_answer(shared: System):
    attachment = samples.PDF + uuid.uuid4().bytes
    body = fresh(attachments=[samples.attachment("iqama-copy", attachment, "iqama.pdf")])
    created = await call(shared, "POST", "/api/v1/requests", json=body)
    assert created.status_code == 201, created.text
    tracking = created.json()["tracking_number"]
    owner = {"account_id": samples.ACCOUNT}

    async def routed():
        return (await call(shared, "GET", f"/api/v1/requests/{tracking}", params=owner)).json()["status"] == "routed"

    await wait_for(routed, what="the request routed")
    async with httpx.AsyncClient(timeout=10) as client:
        asked = await shared.act(client, tracking, "request-information", {"question": "Please attach the passport."})
    assert asked.status_code == 200, asked.text

    async def awaiting():
        view = (await call(shared, "GET", f"/api/v1/requests/{tracking}", params=owner)).json()
        return view["status"] == "information_requested"

    await wait_for(awaiting, what="the question reaching intake")
    digest = hashlib.sha256(attachment).hexdigest()
    answer = {"account_id": samples.ACCOUNT, "answer": "Attached."}
    elsewhere = [
        await call(shared, "GET", f"/api/v1/requests/{tracking}", key="muqeem", params=owner),
        await call(shared, "GET", f"/api/v1/requests/{tracking}/attachments/{digest}", key="muqeem", params=owner),
        await call(shared, "POST", f"/api/v1/requests/{tracking}/information", key="muqeem", json=answer),
    ]
    assert [r.status_code for r in elsewhere] == [404, 404, 404]
    assert all(r.json() == {"detail": f"no request {tracking} for this account"} for r in elsewhere)
    answered = await call(shared, "POST", f"/api/v1/requests/{tracking}/information", json=answer)
    assert answered.status_code == 200 and answered.json()["status"] == "in_progress"  # its own portal may
