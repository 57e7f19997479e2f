"""The supervisors' dashboard (`/dashboard`, and `/dashboard.csv`): a department's backlog per status and per
officer, the cases resolved per day and within their SLA, the age of the open cases in working days, and the
breaches per section and sub-service — for a supervisor their own department, for an auditor every department or
the one they pick (`?department=`).

Every figure is read from casework's own read model, the `queue`, by an aggregate over an index (migration 0007),
never a scan of every case; `tests/integration/test_dashboard.py` checks the plans on 100,000 cases:

- the **backlog** (per status, per officer, and per Riyadh date of routing for the ageing) is one pass, with
  GROUPING SETS, over the index of the department's *open* cases (`queue_open_by_department`, index-only): it
  reads as many index entries as the department has open cases, however many were ever resolved. Counters kept by
  the fold would make it constant-time, but would be a second read model to keep right on every status change,
  claim, release and transfer (and to rebuild); counting a big department's index is milliseconds, so we count.
- **resolved per day** and **SLA compliance** (resolved by its due time ÷ resolved) cover the last
  `WINDOW_DAYS` days, Riyadh days, today included, read from the index of resolved cases by resolution time;
- **breaches** are the cases whose due time, breached, fell in the same window (a case breached twice counts once,
  at its latest due time), read from the index of breached cases by that due time.
- **ageing**: an open case's age is the number of working days from the Riyadh date it was (last) routed to today,
  by the business calendar routing keeps (`routing.calendar.Calendar.working_days_between`), which the composition
  root hands to casework in its `Reference` (casework imports no other service); bucketed 0–1, 2–3, 4–5, 6–7 and
  over 7. A transfer routes the case anew, so its age starts again. A casework given no calendar shows no ageing.

The charts are drawn in the browser by `static/dashboard.js` with Chart.js 4.6.1 (`static/vendor/`, the UMD build
as npm ships it, MIT), from the very tables the page shows the numbers in: the two cannot disagree, and the page
keeps the strict CSP (no inline script).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Protocol, runtime_checkable

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Date, Select, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.access import queue_department
from casework.identity import Guards
from casework.projection import queue
from casework.reference import Reference
from casework.tables import users
from casework.templating import page
from casework.users import User
from contracts.vocabulary import RIYADH
from services.app import Runtime

WINDOW_DAYS = 30
OPEN_STATUSES = ("submitted", "open", "awaiting_information")
AGES = (("0-1", 1), ("2-3", 3), ("4-5", 5), ("6-7", 7))
OLDER = ">7"
"""The ageing buckets, by the most working days each holds, and the last one, for every older case."""
UNASSIGNED = "(unassigned)"  # no username has brackets
ONE_DAY = timedelta(days=1)


@runtime_checkable
class WorkingDays(Protocol):
    """The business calendar, as far as the dashboard needs it (`routing.calendar.Calendar` is one)."""

    version: str

    def working_days_between(self, start: date, end: date) -> int: ...


@dataclass(frozen=True)
class Day:
    day: date
    resolved: int
    within_sla: int

    @property
    def percent(self) -> float | None:
        return _percent(self.within_sla, self.resolved)


@dataclass(frozen=True)
class Officer:
    username: str | None  # None: the cases nobody has
    name: str | None
    cases: int


@dataclass(frozen=True)
class Breaches:
    section: str | None
    sub_service: str | None
    cases: int


@dataclass(frozen=True)
class Figures:
    department: str | None  # None: every department
    today: date
    calendar: str | None  # its version; None: no calendar, so no ageing
    by_status: list[tuple[str, int]]
    by_officer: list[Officer]
    days: list[Day]
    ageing: list[tuple[str, int]] | None
    breaches: list[Breaches]

    @property
    def resolved(self) -> int:
        return sum(day.resolved for day in self.days)

    @property
    def within_sla(self) -> int:
        return sum(day.within_sla for day in self.days)

    @property
    def compliance(self) -> float | None:
        return _percent(self.within_sla, self.resolved)

    def rows(self) -> Iterator[tuple[str, str, object]]:
        """Every figure as (metric, key, value): what the CSV holds."""
        yield from [("scope", "department", self.department or "all"), ("scope", "first_day", self.days[0].day),
                    ("scope", "last_day", self.today), ("scope", "calendar", self.calendar or "")]
        yield from (("backlog_by_status", status, n) for status, n in self.by_status)
        yield from (("backlog_by_officer", who.username or UNASSIGNED, who.cases) for who in self.by_officer)
        yield from (("resolved_per_day", day.day, day.resolved) for day in self.days)
        yield from (("resolved_within_sla_per_day", day.day, day.within_sla) for day in self.days)
        compliance = "" if self.compliance is None else self.compliance
        yield from [("sla_compliance", "resolved", self.resolved), ("sla_compliance", "within_sla", self.within_sla),
                    ("sla_compliance", "percent", compliance)]
        yield from (("ageing_working_days", bucket, n) for bucket, n in self.ageing or [])
        yield from (("breaches", f"{b.section}/{b.sub_service}", b.cases) for b in self.breaches)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _riyadh_date(column):
    return cast(func.timezone(literal_column(f"'{RIYADH.key}'"), column), Date)


RESOLVED = literal_column("'resolved'")
"""A constant in the SQL, not a parameter: a plan PostgreSQL keeps for any parameters still proves the open cases'
partial index applies."""


def _in(department: str | None) -> list:
    return [] if department is None else [queue.c.department == department]


def open_cases(department: str | None) -> Select:
    """The open cases counted per status, per officer and per Riyadh date of routing, in one pass."""
    routed = _riyadh_date(queue.c.routed_at)
    return (select((func.grouping(queue.c.status) == 0).label("by_status"),
                   (func.grouping(queue.c.assignee) == 0).label("by_officer"),
                   queue.c.status, queue.c.assignee, routed.label("routed"), func.count().label("cases"))
            .where(queue.c.status != RESOLVED, queue.c.submitted_at.is_not(None), *_in(department))
            .group_by(func.grouping_sets(queue.c.status, queue.c.assignee, routed)))


def resolved(department: str | None, since: datetime) -> Select:
    """The cases resolved since `since`, per Riyadh day, and how many of them by their due time."""
    day = _riyadh_date(queue.c.resolved_at)
    return (select(day.label("day"), func.count().label("resolved"),
                   func.count().filter(queue.c.resolved_at <= queue.c.due_at).label("within_sla"))
            .where(queue.c.resolved_at.is_not(None), queue.c.resolved_at >= since, *_in(department))
            .group_by(day))


def breaches(department: str | None, since: datetime) -> Select:
    """The cases whose breached due time is since `since`, per section and sub-service."""
    cases = func.count().label("cases")
    return (select(queue.c.section, queue.c.sub_service, cases)
            .where(queue.c.breached_due_at.is_not(None), queue.c.breached_due_at >= since, *_in(department))
            .group_by(queue.c.section, queue.c.sub_service)
            .order_by(cases.desc(), queue.c.section, queue.c.sub_service))


def window(now: datetime) -> tuple[date, datetime]:
    """Today in Riyadh, and the start of the first day of the window that ends with it."""
    today = now.astimezone(RIYADH).date()
    return today, datetime.combine(today - (WINDOW_DAYS - 1) * ONE_DAY, time(), RIYADH)


def queries(department: str | None, now: datetime) -> dict[str, Select]:
    """Every query one view of the dashboard runs on the queue."""
    _, since = window(now)
    return {"open": open_cases(department), "resolved": resolved(department, since),
            "breaches": breaches(department, since)}


def ageing(routed: Iterable[tuple[date, int]], today: date, calendar: WorkingDays) -> list[tuple[str, int]]:
    """Open cases per Riyadh date of routing, bucketed by the working days from that date to `today`."""
    oldest = today  # the earliest date still within the last bucket but one: anything before is older
    while calendar.working_days_between(oldest - ONE_DAY, today) <= AGES[-1][1]:
        oldest -= ONE_DAY
    counts = dict.fromkeys([bucket for bucket, _ in AGES] + [OLDER], 0)
    for day, cases in routed:
        age = calendar.working_days_between(day, today) if day >= oldest else None
        counts[next((bucket for bucket, most in AGES if age is not None and age <= most), OLDER)] += cases
    return list(counts.items())


async def figures(session: AsyncSession, *, department: str | None, now: datetime,
                  calendar: WorkingDays | None) -> Figures:
    """The dashboard of `department` (None: every department) as it stands at `now`."""
    today, since = window(now)
    asked = queries(department, now)
    statuses = OPEN_STATUSES if department is None else OPEN_STATUSES[1:]  # a department's are all routed
    by_status, by_officer, routed = dict.fromkeys(statuses, 0), {}, []
    for row in await session.execute(asked["open"]):
        if row.by_status:
            by_status[row.status] = row.cases
        elif row.by_officer:
            by_officer[row.assignee] = row.cases
        elif row.routed is not None:
            routed.append((row.routed, row.cases))
    names = dict((await session.execute(select(users.c.username, users.c.display_name)
                                        .where(users.c.username.in_([name for name in by_officer if name])))).all())
    officers = sorted((Officer(username, names.get(username), n) for username, n in by_officer.items()),
                      key=lambda officer: (officer.username is None, -officer.cases, officer.username))
    per_day = {row.day: row for row in await session.execute(asked["resolved"])}
    days = [Day(day, per_day[day].resolved, per_day[day].within_sla) if day in per_day else Day(day, 0, 0)
            for day in (today - n * ONE_DAY for n in reversed(range(WINDOW_DAYS)))]
    breached = [Breaches(row.section, row.sub_service, row.cases) for row in await session.execute(asked["breaches"])]
    return Figures(department=department, today=today, calendar=calendar and calendar.version,
                   by_status=list(by_status.items()), by_officer=officers, days=days,
                   ageing=ageing(routed, today, calendar) if calendar else None, breaches=breached)


def _cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(shown: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["metric", "key", "value"])
    writer.writerows([_cell(cell) for cell in row] for row in shown.rows())
    return out.getvalue()


def routes(runtime: Runtime, guards: Guards, reference: Reference) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    calendar = reference.calendar if isinstance(reference.calendar, WorkingDays) else None
    viewers = Depends(guards.allow("supervisor", "auditor", page=True))
    Department = Annotated[str | None, Query(max_length=64)]

    async def shown(user: User, department: str | None) -> Figures:
        scope = queue_department(user, department or None)
        async with runtime.sessions() as session:
            return await figures(session, department=scope, now=datetime.now(UTC), calendar=calendar)

    @router.get("/dashboard")
    async def dashboard_page(request: Request, department: Department = None, user: User = viewers) -> HTMLResponse:
        data = await shown(user, department)
        departments: list[str] = sorted(reference.departments)  # routing's; else those people work in (never the queue)
        if user.role == "auditor" and not departments:
            async with runtime.sessions() as session:
                departments = list(await session.scalars(select(users.c.department).distinct()
                                                         .where(users.c.department.is_not(None))
                                                         .order_by(users.c.department)))
        return page(request, "dashboard.html", lang=user.language, user=user, figures=data, reference=reference,
                    departments=departments if user.role == "auditor" else [])

    @router.get("/dashboard.csv")
    async def dashboard_csv(department: Department = None, user: User = viewers) -> Response:
        data = await shown(user, department)
        name = re.sub(r"[^A-Za-z0-9_-]", "_", data.department or "all")
        return Response(as_csv(data), media_type="text/csv; charset=utf-8", headers={
            "content-disposition": f'attachment; filename="dashboard-{name}-{data.today}.csv"'})

    return router
