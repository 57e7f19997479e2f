"""The supervisors' dashboard: its figures from the queue (at a fixed time, with the business calendar's weekends),
the page in English and Arabic with each chart's numbers in its table, the CSV, who sees which department — and,
on 100,000 cases, plans that read indexes only, never every case."""

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from pydantic import SecretStr
from sqlalchemy import insert

from casework import dashboard
from casework.accounts import Accounts
from casework.credentials import Credentials
from casework.projection import queue
from casework.users import User
from contracts.vocabulary import RIYADH
from routing.sla import load_calendar
from services import db
from services.app import create_app, service_database
from tawasul import system

MIGRATIONS = Path("casework/migrations")  # the module's own database (`database`, `sessions`): casework's tables
DEPARTMENT, OTHER = "passports", "visit-visas"
PEOPLE = {
    "supervisor": User("huda.supervisor", "Huda", "supervisor", DEPARTMENT, "en"),
    "officer": User("omar.officer", "Omar", "officer", DEPARTMENT, "ar"),
    "auditor": User("noura.auditor", "Noura", "auditor", None, "ar"),
}


def riyadh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=RIYADH)


def case(department: str | None, status: str = "open", **columns) -> dict:
    """A queue row: a case submitted and routed an hour before it was, unless `columns` say otherwise."""
    routed = columns.get("routed_at")
    row = {column.name: None for column in queue.columns} | {
        "case_id": f"TWdash{uuid.uuid4().hex[:12]}", "department": department, "status": status, "version": 0,
        "notes": 0, "section": "S1", "sub_service": "A", "language": "ar",
        "submitted_at": routed - timedelta(hours=1) if routed else datetime(2025, 1, 1, tzinfo=UTC)}
    return row | columns


async def seed(sessions, rows: list[dict]) -> None:
    async with sessions.begin() as session:
        await session.execute(insert(queue), rows)


async def test_the_figures_of_a_department_at_a_given_time(sessions):
    now = riyadh("2026-01-15T12:00")  # a Thursday; the weekend is Friday and Saturday
    unit = f"figures-{uuid.uuid4().hex[:6]}"
    await Accounts(sessions, frozenset({unit})).add(User("omar.figures", "Omar F.", "officer", unit, "ar"),
                                                    "a long enough passphrase", actor="tests")
    open_ = [  # routed on … → working days to the 15th
        case(unit, routed_at=riyadh("2026-01-15T10:00"), assignee="omar.figures"),  # 0
        case(unit, routed_at=riyadh("2026-01-14T10:00"), assignee="omar.figures"),  # 1
        case(unit, routed_at=riyadh("2026-01-12T09:00"), assignee="omar.figures"),  # 3 (Tue, Wed, Thu)
        case(unit, routed_at=datetime(2026, 1, 11, 21, 30, tzinfo=UTC)),  # 3: 00:30 on the 12th in Riyadh
        case(unit, routed_at=riyadh("2026-01-09T10:00"), assignee="layla.gone"),  # 5: from a Friday
        case(unit, "awaiting_information", routed_at=riyadh("2026-01-07T10:00")),  # 6
        case(unit, "awaiting_information", routed_at=riyadh("2026-01-05T10:00")),  # 8
        case(unit, routed_at=riyadh("2025-12-01T10:00")),  # 30-odd
    ]
    breached = [case(unit, routed_at=riyadh("2026-01-01T10:00"), status="resolved", outcome="completed",
                     resolved_at=riyadh("2026-01-14T16:00"), due_at=riyadh("2026-01-14T15:00"),
                     breached_due_at=riyadh("2026-01-13T15:00"), section=section, sub_service=sub)
                for section, sub in [("S1", "A"), ("S2", "B")]]
    resolved = [
        case(unit, "resolved", resolved_at=riyadh("2026-01-15T09:00"), due_at=riyadh("2026-01-15T15:00")),
        case(unit, "resolved", resolved_at=riyadh("2026-01-14T10:00"), due_at=riyadh("2026-01-20T15:00")),
        case(unit, "resolved", resolved_at=riyadh("2025-12-17T00:30"), due_at=riyadh("2025-12-20T15:00")),
        case(unit, "resolved", resolved_at=riyadh("2025-12-16T23:30"), due_at=riyadh("2025-12-20T15:00")),  # before
    ]
    other = f"{unit}-other"
    elsewhere = [case(other, routed_at=riyadh("2026-01-14T10:00"), breached_due_at=riyadh("2026-01-13T15:00")),
                 case(other, "resolved", resolved_at=riyadh("2026-01-15T09:00"))]
    old_breach = case(unit, routed_at=riyadh("2026-01-15T11:00"), breached_due_at=riyadh("2025-12-10T15:00"))
    waiting = case(unit, "submitted", submitted_at=None)  # routed before its submission came: not a case yet
    await seed(sessions, [*open_, *breached, *resolved, *elsewhere, old_breach, waiting])
    # another breach of S1/A, on a case still open: two of S1/A in the window, one of S2/B
    await seed(sessions, [case(unit, routed_at=riyadh("2026-01-15T11:30"), breached_due_at=riyadh("2026-01-14T15:00"),
                               assignee="omar.figures")])

    async with sessions() as session:
        shown = await dashboard.figures(session, department=unit, now=now, calendar=load_calendar())

    assert shown.by_status == [("open", 8), ("awaiting_information", 2)]
    assert [(o.username, o.name, o.cases) for o in shown.by_officer] == [
        ("omar.figures", "Omar F.", 4), ("layla.gone", None, 1), (None, None, 5)]
    assert shown.ageing == [("0-1", 4), ("2-3", 2), ("4-5", 1), ("6-7", 1), (">7", 2)]
    assert len(shown.days) == 30 and (shown.days[0].day, shown.days[-1].day) == (date(2025, 12, 17), date(2026, 1, 15))
    assert {day.day: (day.resolved, day.within_sla) for day in shown.days if day.resolved} == {
        date(2025, 12, 17): (1, 1), date(2026, 1, 14): (3, 1), date(2026, 1, 15): (1, 1)}
    assert (shown.resolved, shown.within_sla, shown.compliance) == (5, 3, 60.0)
    assert shown.days[-2].percent == 33.3
    assert [(b.section, b.sub_service, b.cases) for b in shown.breaches] == [("S1", "A", 2), ("S2", "B", 1)]
    assert shown.calendar == load_calendar().version

    async with sessions() as session:
        uncounted = await dashboard.figures(session, department=unit, now=now, calendar=None)
    assert uncounted.ageing is None and uncounted.by_status == shown.by_status  # no calendar: no ageing


# --- the page, the CSV and who sees what, through the application -------------------------------------------


@pytest.fixture(scope="module")
def settings(infra):
    return system.service("casework").settings().model_copy(update={
        "database_url": infra.database_url, "kafka_bootstrap": infra.kafka_bootstrap,
        "namespace": f"dash{uuid.uuid4().hex[:8]}", "session_secret": SecretStr("a secret for these tests")})


@pytest.fixture(scope="module")
async def app(settings):
    application = create_app(system.service("casework"), settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="module")
async def keys(app, settings) -> dict[str, str]:
    """Everyone in `PEOPLE` with an API key, and the cases the page counts (relative to now)."""
    now = datetime.now(UTC)
    async with service_database(system.service("casework"), settings) as sessions:
        accounts = Accounts(sessions, frozenset({DEPARTMENT, OTHER}))
        credentials = Credentials(sessions, absolute_s=3600)
        for person in PEOPLE.values():
            await accounts.add(person, "a long enough passphrase", actor="tests")
        recent = now - timedelta(minutes=5)
        await seed(sessions, [
            case(DEPARTMENT, routed_at=recent, assignee="omar.officer"),
            case(DEPARTMENT, routed_at=recent, assignee="omar.officer"),
            case(DEPARTMENT, routed_at=recent),
            case(DEPARTMENT, "awaiting_information", routed_at=recent, assignee="omar.officer",
                 breached_due_at=now - timedelta(days=3), section="SEC", sub_service="SUB"),
            *[case(DEPARTMENT, "resolved", resolved_at=recent, due_at=now + timedelta(days=1)) for _ in range(3)],
            case(DEPARTMENT, "resolved", resolved_at=recent, due_at=now - timedelta(days=1),
                 breached_due_at=now - timedelta(days=1), section="SEC", sub_service="SUB"),
            case(OTHER, routed_at=recent),
            case(OTHER, "resolved", resolved_at=recent, due_at=now - timedelta(days=1)),
            case(None, "submitted", routed_at=None),  # submitted, not yet routed: an auditor's alone
        ])
        return {name: await credentials.issue_key(person.username, label="tests", actor="tests")
                for name, person in PEOPLE.items()}


async def get(app, key: str | None, url: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://casework.test") as client:
        return await client.get(url, headers=headers)


def table(page: str, name: str) -> list[tuple[str, ...]]:
    """The rows of the page's table `name`: the row's heading, then each cell's text."""
    body = re.search(rf'<table class="queue" id="{name}-table">(.*?)</table>', page, flags=re.S)[1]
    rows = re.findall(r'<tr><th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', body, flags=re.S)

    def text(html: str) -> str:
        return re.sub(r"<[^>]+>", "", html).strip()

    return [(text(head), *(text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, flags=re.S)))
            for head, cells in rows]


async def test_the_page_shows_a_supervisor_their_department_in_english_with_each_charts_numbers(app, keys):
    response = await get(app, keys["supervisor"], "/dashboard")
    assert response.status_code == 200
    page = response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert 'dir="ltr"' in page and system.reference().department_name(DEPARTMENT, "en") in page
    assert table(page, "by-status") == [("open", "3"), ("awaiting_information", "1")]
    assert table(page, "by-officer") == [("Omar", "3"), ("Unassigned", "1")]
    assert table(page, "ageing") == [("0–1", "4"), ("2–3", "0"), ("4–5", "0"), ("6–7", "0"), ("more than 7", "0")]
    assert table(page, "breaches") == [("SEC / SUB", "2")]
    resolved_on = (datetime.now(UTC) - timedelta(minutes=5)).astimezone(RIYADH).date().isoformat()
    assert [row for row in table(page, "per-day") if row[1] != "0"] == [(resolved_on, "4", "3", "75.0")]
    assert "75.0% of the cases resolved in the last 30 days were resolved within their SLA (3 of 4)." in page
    canvases = re.findall(r"<canvas ([^>]*)>", page)
    assert len(canvases) == 5 and all('role="img"' in c and 'aria-label="' in c for c in canvases)
    assert "vendor/chart.umd.min.js" in page and "dashboard.js" in page and "<script>" not in page


async def test_an_auditor_sees_every_department_in_arabic_or_picks_one(app, keys):
    page = (await get(app, keys["auditor"], "/dashboard")).text
    assert 'dir="rtl"' in page and "لوحة المتابعة" in page and "جميع الإدارات" in page
    assert table(page, "by-status") == [("مقدَّم", "1"), ("مفتوح", "4"), ("بانتظار معلومات", "1")]
    assert "أُنجز 60.0% من الطلبات المنجزة خلال آخر 30 يومًا ضمن مهلتها (3 من 5)." in page
    assert f'<option value="{DEPARTMENT}"' in page  # the picker lists routing's departments
    picked = (await get(app, keys["auditor"], f"/dashboard?department={DEPARTMENT}")).text
    assert table(picked, "by-status") == [("مفتوح", "3"), ("بانتظار معلومات", "1")]
    assert table(picked, "by-officer") == [("Omar", "3"), ("غير مسندة", "1")]
    empty = (await get(app, keys["auditor"], "/dashboard?department=no-such-department")).text
    assert "<canvas" not in empty and "لم يُنجز أي طلب خلال آخر 30 يومًا." in empty  # no chart of nothing
    assert table(empty, "by-status") == [("مفتوح", "0"), ("بانتظار معلومات", "0")]


async def test_a_supervisor_sees_no_other_department_and_an_officer_no_dashboard(app, keys):
    assert (await get(app, keys["supervisor"], f"/dashboard?department={OTHER}")).status_code == 403
    assert (await get(app, keys["supervisor"], f"/dashboard.csv?department={OTHER}")).status_code == 403
    assert (await get(app, keys["officer"], "/dashboard")).status_code == 403
    anonymous = await get(app, None, "/dashboard.csv")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")


async def test_the_csv_holds_every_figure_as_metric_key_value(app, keys):
    response = await get(app, keys["supervisor"], "/dashboard.csv")
    today = datetime.now(UTC).astimezone(RIYADH).date()
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="dashboard-{DEPARTMENT}-{today}.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["metric", "key", "value"]
    figures = {(metric, key): value for metric, key, value in rows[1:]}
    assert len(figures) == len(rows) - 1  # one row per figure
    assert figures[("scope", "department")] == DEPARTMENT
    assert figures[("scope", "first_day")] == str(today - timedelta(days=29))
    assert figures[("scope", "calendar")] == load_calendar().version
    assert figures[("backlog_by_status", "open")] == "3"
    assert figures[("backlog_by_status", "awaiting_information")] == "1"
    assert figures[("backlog_by_officer", "omar.officer")] == "3"
    assert figures[("backlog_by_officer", "(unassigned)")] == "1"
    assert figures[("sla_compliance", "resolved")] == "4" and figures[("sla_compliance", "percent")] == "75.0"
    assert sum(int(v) for (metric, _), v in figures.items() if metric == "resolved_per_day") == 4
    assert sum(1 for metric, _ in figures if metric == "resolved_per_day") == 30
    assert figures[("ageing_working_days", "0-1")] == "4" and figures[("ageing_working_days", ">7")] == "0"
    assert figures[("breaches", "SEC/SUB")] == "2"


def test_a_csv_cell_is_never_a_formula():
    assert [dashboard._cell(value) for value in ("=1+1", "+1", "-1", "@SUM(A1)", "S1/A", 3, None)] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "S1/A", "3", ""]


# --- the plans, on 100,000 cases -----------------------------------------------------------------------------

BULK = """
INSERT INTO queue (case_id, section, sub_service, language, department, status, submitted_at, routed_at,
                   resolved_at, due_at, assignee, breached_due_at, version, notes)
SELECT 'TWbulk' || g, 'section-' || g % 10, 'sub-' || g % 37, 'ar',
       CASE WHEN g % 2 = 0 THEN 'department-big' ELSE 'department-' || g % 19 END,
       CASE WHEN g % 10 < 8 THEN 'resolved' WHEN g % 10 = 8 THEN 'open' ELSE 'awaiting_information' END,
       at, at + interval '1 hour', CASE WHEN g % 10 < 8 THEN at + (g % 15) * interval '1 day' END,
       at + interval '10 days', CASE WHEN g % 4 > 0 THEN 'officer-' || g % 50 END,
       CASE WHEN g % 7 = 0 THEN at + interval '10 days' END, 0, 0
FROM generate_series(1, 100000) AS g, LATERAL (SELECT now() - (g % 730) * interval '12 hours' AS at) AS t
"""
"""Two years of cases, a fifth of them open: half in one big department, the rest over nineteen others."""


async def test_no_query_of_the_dashboard_reads_every_case_of_100000(database, sessions):
    with psycopg.connect(db.libpq_dsn(database), autocommit=True) as connection:
        connection.execute(BULK)
        connection.execute("VACUUM ANALYZE queue")
    plans = {}
    async with sessions() as session:
        connection = await session.connection()
        for department in ("department-big", "department-3", None):
            for name, query in dashboard.queries(department, datetime.now(UTC)).items():
                compiled = query.compile(dialect=connection.dialect)
                result = await connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
                plans[(department, name)] = "\n".join(row[0] for row in result)
        shown = await dashboard.figures(session, department="department-big", now=datetime.now(UTC),
                                        calendar=load_calendar())
    assert sum(n for _, n in shown.by_status) == 10_000  # the bulk cases are there to be counted
    scanned = {where: plan for where, plan in plans.items() if "Seq Scan on queue" in plan}
    assert not scanned, scanned
    indexes = {name for name, *_ in _migration_0007().INDEXES}
    assert all(any(index in plan for index in indexes) for plan in plans.values()), plans


def _migration_0007():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dashboard_0007", MIGRATIONS / "versions" / "0007_dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
