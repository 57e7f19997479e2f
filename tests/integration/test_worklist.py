"""The queue as officers work it — its order, filters, search and pages, read from one index even with 100k
cases — and the case page's working-together parts: ID numbers revealed on the record, several cases claimed or
assigned at once, who else has a case open and is typing.

Casework runs in this process on the test broker and database, as in the authorisation tests."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from casework import listing
from casework.projection import queue
from services.app import service_database
from tawasul import system
from tests.integration.test_casework_access import (  # noqa: F401 (fixtures)
    CSRF_COOKIE,
    DEPARTMENT,
    PEOPLE,
    app,
    browser,
    keys,
    open_cases,
    settings,
    sign_in,
)
from tests.samples import life

NOW = datetime.now(UTC)


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr data-case="([^"]+)"', page)


async def seed(settings, rows: list[dict]) -> None:
    async with service_database(system.service("casework"), settings) as sessions, sessions.begin() as session:
        await session.execute(queue.insert(), rows)


def case(case_id: str, **fields) -> dict:
    return {**dict.fromkeys(queue.c.keys()), "case_id": case_id, "section": "iqama", "sub_service": "renew",
            "language": "ar",
            "department": DEPARTMENT, "status": "open", "submitted_at": NOW - timedelta(days=3),
            "routed_at": NOW - timedelta(days=3), "due_at": NOW + timedelta(days=4), "version": 0, "notes": 0,
            "sla_seconds": 7 * 7 * 3600, **fields}


async def test_the_queue_lists_breached_then_warned_then_the_soonest_due_and_filters_and_searches(app, keys,
                                                                                                  settings):
    tag = NOW.strftime("%H%M%S%f")[-8:]
    due = NOW + timedelta(days=2)
    await seed(settings, [
        case(f"TWq{tag}a", due_at=NOW + timedelta(days=1)),
        case(f"TWq{tag}b", due_at=NOW + timedelta(days=5), breached_due_at=NOW - timedelta(days=1),
             escalated_due_at=NOW - timedelta(days=1)),
        case(f"TWq{tag}c", due_at=due, warned_due_at=due, assignee="omar.officer"),
        case(f"TWq{tag}d", due_at=NOW + timedelta(hours=2), status="awaiting_information", subject_id="2" * 10,
             paused_at=NOW - timedelta(hours=1)),
        case(f"TWq{tag}e", status="resolved"),
        case(f"TWq{tag}f", department="visit-visas"),
    ])
    async with browser(app) as client:
        await sign_in(client, "omar.officer")
        mine = [case_id for case_id in rows_of((await client.get("/queue")).text) if tag in case_id]
        assert mine == [f"TWq{tag}b", f"TWq{tag}c", f"TWq{tag}d", f"TWq{tag}a"]  # breached, warned, by due time

        async def listed(query: str) -> list[str]:
            answer = await client.get(f"/queue?{query}")
            assert answer.status_code == 200, answer.text
            return [case_id for case_id in rows_of(answer.text) if tag in case_id]

        assert await listed("mine=1") == [f"TWq{tag}c"]
        assert await listed("escalated=1") == [f"TWq{tag}b"]
        assert await listed("status=awaiting_information") == [f"TWq{tag}d"]
        assert await listed(f"q={'2' * 10}") == [f"TWq{tag}d"]  # by the subject's ID number
        assert await listed(f"q=tWq{tag}a") == [f"TWq{tag}a"]  # by tracking number, as typed
        assert f"TWq{tag}f" not in await listed("")
        assert (await client.get("/queue?department=visit-visas")).status_code == 403  # an auditor's choice
        assert set(await listed("unassigned=1&section=iqama&sub_service=renew")) == {
            f"TWq{tag}a", f"TWq{tag}b", f"TWq{tag}d"}
        assert (await client.get("/queue?status=resolved")).status_code == 422
        fragment = await client.get("/queue?mine=1", headers={"HX-Request": "true"})
        assert fragment.text.lstrip().startswith('<tbody id="rows"') and "<html" not in fragment.text
        assert 'hx-get="/queue?mine=1"' in fragment.text  # it refreshes itself with the same filters
        page = (await client.get("/queue?q=" + f"TWq{tag}d")).text
        assert "sla-grey" in page  # paused
        page = (await client.get("/queue?q=" + f"TWq{tag}b")).text
        assert "sla-red" in page and "flag-escalated" in page


async def test_with_100k_cases_every_queue_listing_reads_the_worklist_index_and_no_query_scans_the_table(
        app, keys, settings):
    async with service_database(system.service("casework"), settings) as sessions:
        async with sessions.begin() as session:
            await session.execute(text("""
                INSERT INTO queue (case_id, section, sub_service, department, status, submitted_at, routed_at,
                                   due_at, version, notes, assignee, subject_id, breached_due_at, sla_seconds)
                SELECT 'TWbig' || n, 'iqama', CASE WHEN n % 3 = 0 THEN 'renew' ELSE 'issue' END,
                       (ARRAY['residency-riyadh', 'visit-visas', 'passports', 'sponsorship'])[1 + n % 4],
                       CASE WHEN n % 5 < 2 THEN 'resolved' WHEN n % 5 = 2 THEN 'awaiting_information'
                            ELSE 'open' END,
                       now() - interval '5 days', now() - interval '5 days', now() + (n % 240) * interval '1 hour',
                       0, 0, CASE WHEN n % 7 = 0 THEN 'omar.officer' END, lpad((n * 7919)::text, 10, '1'),
                       CASE WHEN n % 50 = 0 THEN now() END, 176400
                FROM generate_series(1, 100000) AS n"""))
            await session.execute(text("ANALYZE queue"))
        filters = [listing.Filters(), listing.Filters(mine=True), listing.Filters(unassigned=True, page=3),
                   listing.Filters(escalated=True), listing.Filters(status="open", section="iqama"),
                   listing.Filters(q="1111111111"), listing.Filters(q="TWBIG77")]
        async with sessions() as session:
            for chosen in filters:
                for query in (listing.page_query(chosen, DEPARTMENT, "omar.officer"),
                              listing.count_query(chosen, DEPARTMENT, "omar.officer")):
                    compiled = query.compile(compile_kwargs={"literal_binds": True})
                    plan = "\n".join(row[0] for row in await session.execute(text(f"EXPLAIN {compiled}")))
                    assert "Seq Scan on queue" not in plan, f"{chosen}:\n{plan}"
                    if chosen == listing.Filters():  # the whole queue, in its order: read from its index
                        assert "queue_worklist" in plan and "Sort" not in plan, plan
    async with browser(app) as client:
        await sign_in(client, "omar.officer")
        page = await client.get("/queue")
        assert page.status_code == 200 and "أكثر من 1000 طلب" in page.text and len(rows_of(page.text)) == 50
        assert 'rel="next"' in page.text


async def test_a_reveal_is_recorded_with_who_and_why_before_the_numbers_are_shown(app, keys, settings):
    [case_id] = await open_cases(settings, 1)
    subject = life()[0][1].subject_id
    async with browser(app) as client:
        await sign_in(client, "omar.officer")
        shown = (await client.get(f"/cases/{case_id}")).text
        assert subject not in shown and subject[-4:] in shown
        revealed = await client.post(f"/cases/{case_id}/reveal", data={
            "fields": "subject_id", "reason": "to call the Riyadh office", "csrftoken": client.cookies[CSRF_COOKIE]})
        assert revealed.status_code == 200 and subject in revealed.text
        assert subject not in (await client.get(f"/cases/{case_id}")).text  # for that page only
        refused = await client.post(f"/cases/{case_id}/reveal", data={
            "fields": "subject_id", "reason": "", "csrftoken": client.cookies[CSRF_COOKIE]})
        assert refused.status_code == 422  # no reason, no reveal
    async with service_database(system.service("casework"), settings) as sessions, sessions() as session:
        entry = (await session.execute(text("SELECT actor, public, data FROM timeline WHERE case_id = :case AND "
                                            "type = 'IdentityRevealed'"), {"case": case_id})).one()
        stored = await session.scalar(text("SELECT count(*) FROM event_store WHERE stream = :case AND "
                                           "envelope->>'type' = 'IdentityRevealed'"), {"case": case_id})
    assert entry.actor == "omar.officer" and entry.public is False and stored == 1
    assert entry.data == {"fields": ["subject_id"], "reason": "to call the Riyadh office"}


async def test_several_cases_are_claimed_or_assigned_at_once_and_each_refusal_says_why(app, keys, settings):
    first, second, third = await open_cases(settings, 3)
    async with browser(app) as officer, browser(app) as supervisor:
        await sign_in(officer, "omar.officer")
        claimed = await officer.post("/queue/claim", data={"case_ids": [first, second],
                                                           "csrftoken": officer.cookies[CSRF_COOKIE]})
        assert claimed.status_code == 200 and "Done for 2 cases" in claimed.text or "2" in claimed.text
        again = await officer.post("/queue/claim", data={"case_ids": [first, third],
                                                         "csrftoken": officer.cookies[CSRF_COOKIE]})
        assert again.status_code == 200 and "the case is yours already" in again.text
        await sign_in(supervisor, "huda.supervisor")
        assigned = await supervisor.post("/queue/assign", data={
            "case_ids": [second, third], "officer": "huda.supervisor", "csrftoken": supervisor.cookies[CSRF_COOKIE]})
        assert assigned.status_code == 200
        nobody = await supervisor.post("/queue/assign", data={
            "case_ids": [first], "officer": "khalid.officer", "csrftoken": supervisor.cookies[CSRF_COOKIE]})
        assert nobody.status_code == 409 and "is not an active officer of" in nobody.text
    async with service_database(system.service("casework"), settings) as sessions, sessions() as session:
        owners = dict((await session.execute(text("SELECT case_id, assignee FROM queue WHERE case_id = ANY(:ids)"),
                                             {"ids": [first, second, third]})).all())
    assert owners == {first: "omar.officer", second: "huda.supervisor", third: "huda.supervisor"}


async def test_who_else_has_a_case_open_and_who_is_typing_shows_on_the_case_and_in_the_queue(app, keys, settings):
    [case_id] = await open_cases(settings, 1)
    async with browser(app) as omar, browser(app) as huda:
        await sign_in(omar, "omar.officer")
        await sign_in(huda, "huda.supervisor")
        alone = await omar.post(f"/cases/{case_id}/presence", data={"csrftoken": omar.cookies[CSRF_COOKIE]})
        assert alone.status_code == 200 and "Huda" not in alone.text
        typing = await huda.post(f"/cases/{case_id}/presence", data={"typing": "true",
                                                                      "csrftoken": huda.cookies[CSRF_COOKIE]})
        assert typing.status_code == 200 and "Omar" in typing.text  # Huda sees Omar there
        seen = await omar.post(f"/cases/{case_id}/presence", data={"csrftoken": omar.cookies[CSRF_COOKIE]})
        assert "Huda <em>" in seen.text  # and that she is typing (in Omar's Arabic)
        row = next(line for line in (await omar.get(f"/queue?q={case_id}")).text.split("<tr ")
                   if case_id in line and "data-case" in line)
        assert "Huda <em>" in row
        await huda.post(f"/cases/{case_id}/presence", data={"leaving": "true",
                                                            "csrftoken": huda.cookies[CSRF_COOKIE]})
        gone = await omar.post(f"/cases/{case_id}/presence", data={"csrftoken": omar.cookies[CSRF_COOKIE]})
        assert "Huda" not in gone.text


async def test_a_browser_is_refused_with_a_page_in_its_user_s_language_and_a_program_with_json(app, keys,
                                                                                             settings):
    [case_id] = await open_cases(settings, 1)
    async with browser(app) as client:
        await sign_in(client, "khalid.officer")  # another department's, in Arabic
        page = await client.get(f"/cases/{case_id}", headers={"Accept": "text/html"})
        assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
        assert "ليس من صلاحياتك" in page.text and "reading another department" in page.text
        missing = await client.get("/cases/TW2600000999", headers={"Accept": "text/html"})
        assert missing.status_code == 404 and "<html" in missing.text
        api = await client.get(f"/api/v1/cases/{case_id}", headers={"Accept": "text/html"})
        assert api.status_code == 403 and api.json()["detail"] == "reading another department's cases is not allowed"
