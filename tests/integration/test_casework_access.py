"""Who may reach what in casework: every route of the application × every kind of caller, from its own route
table (a route with no row here fails); sessions (cookie flags, idle and absolute expiry, sign-out that ends them
on the server), CSRF on every state-changing request made with the cookie, throttled sign-in, API keys.

Casework runs in this process with its lifespan (migrations, consumer) on the test broker and database; its cases
come through the case log as routing publishes them."""

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from sqlalchemy import text

from casework.accounts import Accounts
from casework.credentials import Credentials
from casework.identity import CSRF_COOKIE, SESSION_COOKIE, endpoints
from casework.users import User
from contracts import topics
from services.app import create_app, service_database
from tawasul import system
from tests import samples
from tests.system import read_topic, wait_for

DEPARTMENT = "residency-riyadh"  # where samples.life() routes its case
PASSWORD = "a long enough passphrase"
PEOPLE = {
    "officer": User("omar.officer", "Omar", "officer", DEPARTMENT, "ar"),
    "other_officer": User("khalid.officer", "Khalid", "officer", "visit-visas", "ar"),
    "supervisor": User("huda.supervisor", "Huda", "supervisor", DEPARTMENT, "en"),
    "auditor": User("noura.auditor", "Noura", "auditor", None, "ar"),
    "admin": User("admin", "Admin", "admin", None, "en"),
}
CALLERS = ("anonymous", *PEOPLE)
ACTIONS = {"resolve": {"outcome": "completed", "public_reply": "Done."},
           "request-information": {"question": "Please attach the passport."},
           "transfer": {"to_department": "passports", "reason": "a passport matter"},
           "claim": {}, "release": {}, "notes": {"note": "Called the office."},
           "assign": {"officer": "omar.officer"}}


def every(status: int, **but: int) -> dict[str, int]:
    return {caller: but.get(caller, status) for caller in CALLERS}


READ = every(200, anonymous=401, admin=403)
READ_ONE = every(200, anonymous=401, other_officer=403, admin=403)
ACT = every(200, anonymous=401, other_officer=403, auditor=403, admin=403)
ASSIGN = every(403, anonymous=401, supervisor=200)
RELEASE = {**ACT, "officer": 409, "supervisor": 409}  # past the guard, a case nobody has is not released
PAGE = every(200, anonymous=303, admin=403)
PUBLIC = every(200)
FORM = every(303, other_officer=403, auditor=403, admin=403)  # done: back to the case; anonymous: sign in first
FORMS = {"claim": {}, "release": {}, "notes": {"note": "Called the office."},
         "resolve": {"outcome": "completed", "public_reply": "Done."},
         "request-information": {"question": "Please attach the passport."},
         "transfer": {"to_department": "passports", "reason": "a passport matter"},
         "assign": {"officer": "omar.officer"}, "reveal": {"fields": "subject_id", "reason": "to call the office"}}
BULK = {"case_ids": None, "officer": "omar.officer"}  # the case is filled in
SUPERVISOR_FORM = every(403, anonymous=303, supervisor=303)
SHOWN_PAGE = every(200, anonymous=303, other_officer=403, auditor=403, admin=403)  # done: the page, shown again
HISTORY = every(403, anonymous=303, supervisor=200, auditor=200)  # the auditor's page: the department's supervisor too
NOT_ACTIONS = {"/sign-in", "/sign-out", "/language", "/cases/{case_id}/presence"}
"""The POST routes that change no case (who is signed in, in which language, who has a case open): every other one
is an action, and an auditor is refused each."""
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/static"): PUBLIC,
    ("GET", "/api/v1/cases"): READ,
    ("GET", "/api/v1/cases/{case_id}"): READ_ONE,
    **{("POST", f"/api/v1/cases/{{case_id}}/{action}"): ACT for action in ACTIONS},
    ("POST", "/api/v1/cases/{case_id}/assign"): ASSIGN,
    ("POST", "/api/v1/cases/{case_id}/release"): RELEASE,
    ("GET", "/"): every(303),
    ("GET", "/sign-in"): every(303, anonymous=200),
    ("POST", "/sign-in"): every(401),  # with a wrong password, whoever asks
    ("POST", "/sign-out"): every(303),
    ("GET", "/queue"): PAGE,
    ("GET", "/users"): every(403, anonymous=303, auditor=200, admin=200),
    ("GET", "/cases/{case_id}"): every(200, anonymous=303, other_officer=403, admin=403),
    **{("POST", f"/cases/{{case_id}}/{form}"): FORM for form in FORMS},
    ("POST", "/cases/{case_id}/release"): {**FORM, "officer": 409, "supervisor": 409},
    ("POST", "/cases/{case_id}/assign"): SUPERVISOR_FORM,
    ("POST", "/cases/{case_id}/reveal"): SHOWN_PAGE,
    ("GET", "/cases/{case_id}/attachments/{sha256}"): every(404, anonymous=303, other_officer=403, admin=403),
    ("POST", "/cases/{case_id}/presence"): every(200, anonymous=303, other_officer=403, admin=403),
    ("POST", "/queue/claim"): every(200, anonymous=303, other_officer=409, auditor=403, admin=403),
    ("POST", "/queue/assign"): every(403, anonymous=303, supervisor=200),
    ("POST", "/language"): every(303),
    ("GET", "/dashboard"): every(403, anonymous=303, supervisor=200, auditor=200),
    ("GET", "/dashboard.csv"): every(403, anonymous=303, supervisor=200, auditor=200),
    **{("GET", f"/cases/{{case_id}}/{name}"): HISTORY for name in ("history", "history.csv", "history.json")},
}
"""Every route × caller → status. Add a route to casework and this table must say who may call it."""


@pytest.fixture(scope="module")
def settings(infra):
    return system.service("casework").settings().model_copy(update={
        "database_url": infra.database_url, "kafka_bootstrap": infra.kafka_bootstrap,
        "namespace": f"web{uuid.uuid4().hex[:8]}", "session_secret": SecretStr("a secret for these tests")})


@pytest.fixture(scope="module")
async def app(settings):
    application = create_app(system.service("casework"), settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="module")
async def keys(app, settings) -> dict[str, str]:
    """Everyone in `PEOPLE` added with `PASSWORD`, and an API key each."""
    async with service_database(system.service("casework"), settings) as sessions:
        accounts = Accounts(sessions, frozenset({DEPARTMENT, "visit-visas"}))
        credentials = Credentials(sessions, absolute_s=3600)
        for person in PEOPLE.values():
            await accounts.add(person, PASSWORD, actor="tests")
        return {name: await credentials.issue_key(person.username, label="tests", actor="tests")
                for name, person in PEOPLE.items()}


async def open_cases(settings, count: int) -> list[str]:
    """`count` new cases submitted and routed to `DEPARTMENT` on the case log, once casework has them open."""
    ids = [f"TWweb{uuid.uuid4().hex[:10]}" for _ in range(count)]
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for case_id in ids:
            for envelope, _ in samples.life()[:2]:  # RequestSubmitted, Routed
                value = envelope.model_copy(update={"case_id": case_id}).model_dump_json().encode()
                await producer.send_and_wait(settings.topic(topics.CASE_EVENTS), value, key=case_id.encode())
    finally:
        await producer.stop()
    async with service_database(system.service("casework"), settings) as sessions:
        async def opened() -> bool:
            async with sessions() as session:
                return await session.scalar(text("SELECT count(*) FROM queue WHERE status = 'open' AND "
                                                 "case_id = ANY(:ids)"), {"ids": ids}) == count

        await wait_for(opened, what="casework folding the seeded cases")
    return ids


@asynccontextmanager
async def browser(app, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(options.pop("address", "10.0.0.1"),
                                                                                 50000)),
                                 base_url="http://casework.test", follow_redirects=False, **options) as client:
        yield client


async def csrf_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/sign-in")
    return re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD,
                  **form: str) -> httpx.Response:
    return await client.post("/sign-in", data={"csrftoken": await csrf_token(client), "username": username,
                                               "password": password, **form})


def csrf_of(client: httpx.AsyncClient) -> dict[str, str]:
    token = client.cookies.get(CSRF_COOKIE)
    return {"x-csrftoken": token} if token else {}


async def test_every_route_answers_each_kind_of_caller_as_the_table_says(app, keys, settings):
    routes = {(method, path) for path, route in endpoints(app.routes)
              for method in (getattr(route, "methods", None) or {"GET"}) if method != "HEAD"}
    assert routes == set(EXPECTED), f"routes without a row: {routes - set(EXPECTED)}; rows without a route: " \
                                    f"{set(EXPECTED) - routes}"
    cases = iter(await open_cases(settings, 1 + (len(ACTIONS) + len(FORMS)) * len(PEOPLE)))
    shown = next(cases)
    got: dict[tuple[str, str], dict[str, int]] = {}
    for n, caller in enumerate(CALLERS):
        async with browser(app, address=f"10.1.0.{n}") as client:  # a sign-in's failures are this caller's alone
            if caller != "anonymous":
                assert (await sign_in(client, PEOPLE[caller].username)).status_code == 303
            await each_route(client, caller, n, cases, shown, got)
    wrong = {f"{method} {path}": {caller: f"{got[(method, path)][caller]}, not {status}"
                                  for caller, status in row.items() if got[(method, path)][caller] != status}
             for (method, path), row in EXPECTED.items()}
    assert not {route: cells for route, cells in wrong.items() if cells}


async def each_route(client: httpx.AsyncClient, caller: str, n: int, cases, shown: str,
                     got: dict[tuple[str, str], dict[str, int]]) -> None:
    """Every route as `caller` (signing out last); each action that should succeed on a case of its own."""
    for method, path in sorted(EXPECTED, key=lambda route: route == ("POST", "/sign-out")):
        action, expected = path.rpartition("/")[2], EXPECTED[(method, path)][caller]
        acts = method == "POST" and action in ACTIONS | FORMS and caller != "anonymous" and expected in (200, 303)
        case_id = next(cases) if acts else shown  # a case of its own for each action that should be done
        url = path.replace("{case_id}", case_id).replace("/static", "/static/casework.css") \
            .replace("{sha256}", "0" * 64)
        if (method, path) == ("POST", "/sign-in"):
            response = await client.post(url, data={"csrftoken": client.cookies.get(CSRF_COOKIE) or
                                                    await csrf_token(client), "username": f"nobody{n}",
                                                    "password": "not the password"})
        elif method == "POST" and (path.startswith("/cases/") or path.startswith("/queue/")):
            form = {**BULK, "case_ids": case_id} if path.startswith("/queue/") else FORMS.get(action, {})
            response = await client.post(url, data={**form, "csrftoken": client.cookies.get(CSRF_COOKIE, "")})
        elif path == "/language":
            response = await client.post(url, data={"language": "ar", "csrftoken": client.cookies.get(CSRF_COOKIE,
                                                                                                       "")})
        elif method == "POST":
            response = await client.post(url, json=ACTIONS.get(action), headers=csrf_of(client),
                                         data={"csrftoken": client.cookies.get(CSRF_COOKIE, "")}
                                         if path == "/sign-out" else None)
        else:
            response = await client.get(url)
        got.setdefault((method, path), {})[caller] = response.status_code


async def test_an_api_key_acts_as_its_user_and_a_wrong_or_revoked_one_is_a_401(app, keys, settings):
    [case_id] = await open_cases(settings, 1)
    async with browser(app) as client:
        mine = {"Authorization": f"Bearer {keys['officer']}"}
        assert (await client.get(f"/api/v1/cases/{case_id}", headers=mine)).status_code == 200
        elsewhere = await client.get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer "
                                                                                     f"{keys['other_officer']}"})
        assert elsewhere.status_code == 403 and "another department" in elsewhere.json()["detail"]
        asked = await client.post(f"/api/v1/cases/{case_id}/request-information", headers=mine,
                                  json={"question": "Which passport?", "officer_id": "someone-else"})
        assert asked.status_code == 422  # the body names no officer: the key does
        asked = await client.post(f"/api/v1/cases/{case_id}/request-information", headers=mine,
                                  json={"question": "Which passport?"})
        assert asked.status_code == 200, asked.text
        wrong = await client.get("/api/v1/cases", headers={"Authorization": "Bearer tw_user_made-up"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    async with service_database(system.service("casework"), settings) as sessions:
        await Credentials(sessions, absolute_s=60).revoke_keys("omar.officer", actor="tests")
        async with sessions() as session:
            officer = await session.scalar(text("SELECT envelope->'data'->>'officer_id' FROM event_store "
                                                "WHERE stream = :case"), {"case": case_id})
    assert officer == "omar.officer"
    async with browser(app) as client:
        assert (await client.get("/api/v1/cases", headers=mine)).status_code == 401


async def test_the_session_cookie_is_signed_http_only_lax_and_secure_behind_https(app, keys, settings):
    async with browser(app) as client:
        signed = await sign_in(client, "omar.officer")
    assert signed.status_code == 303 and signed.headers["location"] == "/queue"
    cookie = next(value for name, value in signed.headers.multi_items() if name == "set-cookie"
                  and value.startswith(f"{SESSION_COOKIE}="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags
    assert f"max-age={settings.session_idle_s}" in flags
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "omar" not in value  # the cookie holds a signed random secret, nothing about the user

    secure = create_app(system.service("casework"), settings.model_copy(update={
        "public_url": "https://casework.example.gov.sa"}))
    async with browser(secure) as client:
        page = await client.get("/sign-in")
    assert "secure" in page.headers["set-cookie"].lower()  # the CSRF cookie too


async def test_a_state_changing_request_with_the_cookie_and_no_valid_csrf_token_is_refused(app, keys, settings):
    [case_id] = await open_cases(settings, 1)
    async with browser(app) as client:
        page = await client.get("/sign-in")
        no_token = await client.post("/sign-in", data={"username": "omar.officer", "password": PASSWORD})
        assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
        assert page.status_code == 200
        async with browser(app) as fresh:  # no cookie at all: the sign-in form still needs its token
            assert (await fresh.post("/sign-in", data={"username": "omar.officer",
                                                       "password": PASSWORD})).status_code == 403
        assert (await sign_in(client, "omar.officer")).status_code == 303
        body = {"question": "Which passport?"}
        url = f"/api/v1/cases/{case_id}/request-information"
        assert (await client.post(url, json=body)).status_code == 403
        assert (await client.post(url, json=body, headers={"x-csrftoken": "forged"})).status_code == 403
        assert (await client.post("/sign-out", data={"csrftoken": "forged"})).status_code == 403
        assert (await client.get("/queue")).status_code == 200  # still signed in: nothing happened
        done = await client.post(url, json=body, headers=csrf_of(client))
        assert done.status_code == 200, done.text


async def test_a_session_ends_when_idle_too_long_at_its_absolute_end_and_at_sign_out(app, keys, settings,
                                                                                     monkeypatch):
    async with browser(app) as client:
        await sign_in(client, "huda.supervisor")
        assert (await client.get("/queue")).status_code == 200
        now = TimestampSigner.get_timestamp
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) + settings.session_idle_s + 1)
        idle = await client.get("/queue")
        monkeypatch.undo()
        assert idle.status_code == 303 and idle.headers["location"].startswith("/sign-in")

    async with browser(app) as client:
        await sign_in(client, "huda.supervisor")
        async with service_database(system.service("casework"), settings) as sessions, sessions.begin() as s:
            await s.execute(text("UPDATE sessions SET expires_at = now() - interval '1 second' "
                                 "WHERE username = 'huda.supervisor'"))
        assert (await client.get("/queue")).status_code == 303

    async with browser(app) as client:
        await sign_in(client, "huda.supervisor")
        kept = dict(client.cookies)
        assert (await client.post("/sign-out", data={"csrftoken": client.cookies[CSRF_COOKIE]})).status_code == 303
    async with browser(app, cookies=kept) as replayed:  # the cookie as it was before signing out
        assert (await replayed.get("/queue")).status_code == 303
        assert (await replayed.get("/api/v1/cases", headers=csrf_of(replayed))).status_code == 401


async def test_sign_in_is_throttled_per_username_and_per_address_and_says_when_to_retry(app, keys, settings):
    async with browser(app, address="10.0.0.7") as client:
        answers = [(await sign_in(client, "noura.auditor", "not the password")).status_code
                   for _ in range(settings.signin_failure_burst + 1)]
        assert answers == [401] * settings.signin_failure_burst + [429]
        throttled = await sign_in(client, "noura.auditor")  # even the right password waits
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    async with browser(app, address="10.0.0.8") as elsewhere:  # the username is throttled from anywhere
        assert (await sign_in(elsewhere, "noura.auditor")).status_code == 429
        assert (await sign_in(elsewhere, "admin")).status_code == 303  # others are not


async def test_after_sign_in_only_a_path_of_this_site_is_followed_and_a_disabled_user_is_signed_out(app, keys,
                                                                                                 settings):
    for target, lands in [("/api/v1/cases", "/api/v1/cases"), ("//evil.example", "/users"),
                          ("https://evil.example/", "/users"), ("/\\evil.example", "/users")]:  # an admin's home
        async with browser(app) as client:
            signed = await sign_in(client, "admin", next=target)
            assert signed.headers["location"] == lands
    async with browser(app) as client:
        await sign_in(client, "khalid.officer")
        assert (await client.get("/queue")).status_code == 200
        async with service_database(system.service("casework"), settings) as sessions:
            await Accounts(sessions, frozenset()).disable("khalid.officer", actor="tests")
        assert (await client.get("/queue")).status_code == 303
        assert (await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {keys['other_officer']}"}
                                 )).status_code == 401


async def test_the_case_page_shows_the_timeline_public_and_internal_apart_the_ids_masked_and_only_its_actions(
        app, keys, settings):
    [case_id] = await open_cases(settings, 1)
    async with browser(app) as client:
        await sign_in(client, "omar.officer")
        page = (await client.get(f"/cases/{case_id}")).text
        assert 'dir="rtl"' in page and "استلام الطلب" in page  # Arabic, as Omar chose; "Claim" offered
        assert samples.ACCOUNT not in page and f"{samples.ACCOUNT[-4:]}" in page  # masked but the last four
        version = re.search(r'name="expected_version" value="(\d+)"', page)[1]
        token = {"csrftoken": client.cookies[CSRF_COOKIE]}
        assert (await client.post(f"/cases/{case_id}/claim", data={**token, "expected_version": version})
                ).status_code == 303
        stale = await client.post(f"/cases/{case_id}/notes", data={**token, "expected_version": version,
                                                                   "note": "lost"})
        assert stale.status_code == 409 and "omar.officer claimed it" in stale.text
        noted = await client.post(f"/cases/{case_id}/notes", data={**token, "note": "The file is in Riyadh."})
        assert noted.status_code == 303
        page = (await client.get(noted.headers["location"])).text
    internal = re.findall(r'<li class="internal">(.*?)</li>', page, flags=re.S)
    public = re.findall(r'<li class="public">(.*?)</li>', page, flags=re.S)
    assert any("The file is in Riyadh." in entry for entry in internal)
    assert not any("The file is in Riyadh." in entry for entry in public) and len(public) == 2  # submitted, routed
    assert "استلام الطلب" not in page  # claimed: no longer offered; releasing is
    assert "إعادة الطلب إلى القائمة" in page
    async with service_database(system.service("casework"), settings) as sessions:  # (noura is throttled by now)
        await Accounts(sessions, frozenset()).add(User("rana.auditor", "Rana", "auditor", None, "en"), PASSWORD,
                                                  actor="tests")
    async with browser(app) as client:
        await sign_in(client, "rana.auditor")
        page = (await client.get(f"/cases/{case_id}")).text
    assert "The file is in Riyadh." in page and 'action="/cases/' not in page  # an auditor reads, never acts


async def test_an_admin_lands_on_the_users_and_their_recorded_changes_which_an_auditor_reads_too(app, keys):
    async with browser(app, address="10.0.0.9") as client:
        signed = await sign_in(client, "admin")
        assert signed.headers["location"] == "/users"
        page = (await client.get("/users")).text
    for shown in ("omar.officer", "key_issued", "added", "disabled"):
        assert shown in page, shown
    assert "password_hash" not in page and "$argon2" not in page
    async with browser(app, address="10.0.0.9") as client:
        await sign_in(client, "rana.auditor")
        assert "key_issued" in (await client.get("/users")).text


def posted_routes(app) -> list[str]:
    return sorted({path for path, route in endpoints(app.routes) if "POST" in (getattr(route, "methods", None) or ())})


async def test_an_auditor_is_refused_every_action_with_the_session_and_with_a_key_and_nothing_is_recorded(
        app, keys, settings):
    actions = [path for path in posted_routes(app) if path not in NOT_ACTIONS]
    assert {"/cases/{case_id}/claim", "/queue/assign", "/api/v1/cases/{case_id}/resolve"} <= set(actions)
    [case_id] = await open_cases(settings, 1)
    async with service_database(system.service("casework"), settings) as sessions:
        await Accounts(sessions, frozenset()).add(User("sara.auditor", "Sara", "auditor", None, "en"), PASSWORD,
                                                  actor="tests")
    refused: dict[str, list[int]] = {}
    async with browser(app, address="10.2.0.1") as client:
        assert (await sign_in(client, "sara.auditor")).status_code == 303
        for path in actions:
            action, url = path.rpartition("/")[2], path.replace("{case_id}", case_id)
            if path.startswith("/api/"):
                answers = [await client.post(url, json=ACTIONS.get(action), headers=csrf_of(client)),
                           await client.post(url, json=ACTIONS.get(action),
                                             headers={"Authorization": f"Bearer {keys['auditor']}"})]
            else:
                form = {**BULK, "case_ids": case_id} if path.startswith("/queue/") else FORMS.get(action, {})
                answers = [await client.post(url, data={**form, "csrftoken": client.cookies[CSRF_COOKIE]})]
            refused[path] = [answer.status_code for answer in answers]
    assert {path: codes for path, codes in refused.items() if set(codes) != {403}} == {}
    async with service_database(system.service("casework"), settings) as sessions, sessions() as session:
        recorded = await session.scalar(text("SELECT count(*) FROM event_store WHERE stream = :case"),
                                        {"case": case_id})
        row = (await session.execute(text("SELECT status, version, assignee, notes FROM queue WHERE case_id = :case"),
                                     {"case": case_id})).one()
    assert recorded == 0 and tuple(row) == ("open", 0, None, 0)


async def test_the_auditor_s_page_tells_the_whole_history_as_of_a_moment_and_exports_it_and_acts_on_nothing(
        app, keys, settings):
    from casework.case_log import CASE_LOG, REDACTED
    from contracts import Envelope, decode_event

    [case_id] = await open_cases(settings, 1)
    async with browser(app) as client:
        worker = {"Authorization": f"Bearer {keys['supervisor']}"}  # (omar's keys are revoked by now)
        for action in ("claim", "notes"):
            done = await client.post(f"/api/v1/cases/{case_id}/{action}", json=ACTIONS[action], headers=worker)
            assert done.status_code == 200, done.text
    async with service_database(system.service("casework"), settings) as sessions, sessions() as session:
        rows = (await session.execute(text("SELECT * FROM case_log WHERE case_id = :case"), {"case": case_id})
                ).mappings().all()
        own = [Envelope.model_validate(document) for (document,) in await session.execute(
            text("SELECT envelope FROM event_store WHERE stream = :case ORDER BY sequence"), {"case": case_id})]
    # What was folded live is the fold of the case's events: the two the log brought, and casework's own.
    records = await read_topic(settings.kafka_bootstrap, settings.topic(topics.CASE_EVENTS), 2, timeout=30)
    logged = [Envelope.model_validate_json(record.value) for record in records if record.key == case_id.encode()]
    facts = [(envelope, decode_event(envelope)) for envelope in [*logged, *own]]
    assert {(row["event_id"],): dict(row) for row in rows} == CASE_LOG.fold(facts)
    assert [row["type"] for row in sorted(rows, key=lambda r: r["occurred_at"])] == [
        "RequestSubmitted", "Routed", "CaseClaimed", "NoteAdded"]
    [submitted] = [row for row in rows if row["type"] == "RequestSubmitted"]
    assert submitted["data"]["contact"] == {"email": REDACTED, "mobile": REDACTED}
    contact = samples.life()[0][1].contact
    assert contact.email not in str(rows) and contact.mobile not in str(rows)

    async with browser(app, address="10.2.0.2") as client:
        await sign_in(client, "huda.supervisor")  # the department's supervisor reads it as an auditor would
        history = await client.get(f"/cases/{case_id}/history")
        assert history.status_code == 200, history.text
        page = history.text
        moment = sorted(rows, key=lambda r: r["occurred_at"])[1]["occurred_at"]  # just after Routed
        then = await client.get(f"/cases/{case_id}/history", params={"as_of": moment.isoformat()},
                                headers={"HX-Request": "true"})
        table = await client.get(f"/cases/{case_id}/history.csv")
        document = await client.get(f"/cases/{case_id}/history.json", params={"as_of": moment.isoformat()})
        wrong = await client.get(f"/cases/{case_id}/history", params={"as_of": "yesterday"},
                                 headers={"accept": "text/html"})
    internal = re.findall(r'<li id="e-[^"]+" class="internal">(.*?)</li>', page, flags=re.S)
    public = re.findall(r'<li id="e-[^"]+" class="public">(.*?)</li>', page, flags=re.S)
    assert len(public) == 2 and len(internal) == 2 and "Called the office." in "".join(internal)
    assert 'method="post" action="/cases/' not in page and 'action="/api/' not in page  # nothing on it acts
    assert samples.ACCOUNT not in page and samples.ACCOUNT[-4:] in page and contact.email not in page
    assert then.status_code == 200 and "<html" not in then.text and 'hx-swap-oob="true"' in then.text
    named = {system.reference().department_name(DEPARTMENT, language) for language in ("ar", "en")}  # hers, either
    assert any(name in then.text for name in named) and "huda.supervisor" not in then.text
    assert table.headers["content-type"].startswith("text/csv") and "attachment" in \
        table.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(table.text)))
    assert lines[0][:3] == ["at", "producer", "type"] and len(lines) == 5 and samples.ACCOUNT not in table.text
    said = document.json()
    assert [event["type"] for event in said["events"]] == ["RequestSubmitted", "Routed"]
    assert said["read_models"]["casework.queue"]["status"] == "open"
    assert said["read_models"]["casework.queue"]["department"] == DEPARTMENT
    assert wrong.status_code == 422
