"""The queue as an officer lists it: which cases (the department's open ones, narrowed by filters or a search),
in what order (breached first, then warned, then the rest, each the soonest due first), a page at a time.

Every listing is served by the partial index `queue_worklist` (department, urgency, due time, case id over open
cases): a page reads its rows in index order and stops, and the count of matches stops at `COUNTED`, so neither
grows with the number of cases in the read model.
"""

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, and_, case, func, or_, select

from casework.projection import queue

PAGE_SIZE = 50
COUNTED = 1000
"""Matches are counted up to this many; beyond, the page says "more than"."""
MAX_PAGE = 200

URGENCY = case((queue.c.breached_due_at.is_not(None), 0), (queue.c.warned_due_at == queue.c.due_at, 1), else_=2)
"""0 breached, 1 warned, 2 neither: the queue's first sort key (the index `queue_worklist` has the same
expression, so the order is read from it)."""
OPEN = and_(queue.c.status != "resolved", queue.c.submitted_at.is_not(None))

Status = Literal["open", "awaiting_information"]


class Filters(BaseModel):
    """The queue's filters, as the page's form sends them (an empty field is no filter)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    section: str | None = Field(default=None, max_length=64)
    sub_service: str | None = Field(default=None, max_length=64)
    status: Status | None = None
    mine: bool = False
    unassigned: bool = False
    escalated: bool = False
    q: str | None = Field(default=None, max_length=64, description="a tracking number or a subject's ID number")
    department: str | None = Field(default=None, max_length=64, description="an auditor's choice")
    page: int = Field(default=1, ge=1, le=MAX_PAGE)

    def query_string(self, **changes: object) -> str:
        """These filters with `changes`, as a query string (what is at its default is left out)."""
        fields = self.model_copy(update=changes).model_dump(exclude_defaults=True)
        return urlencode({name: "1" if value is True else value for name, value in fields.items()})

    @classmethod
    def of(cls, params: dict[str, str]) -> "Filters":
        return cls.model_validate({name: value for name, value in params.items() if value != ""})


@dataclass(frozen=True)
class Listing:
    filters: Filters
    rows: list
    matching: int
    """How many cases match, counted up to `COUNTED` (+1 when there are more)."""

    @property
    def more_than_counted(self) -> bool:
        return self.matching > COUNTED

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-min(self.matching, COUNTED) // PAGE_SIZE)))

    def page_link(self, page: int) -> str:
        return "?" + self.filters.query_string(page=page)


def matching(filters: Filters, department: str | None, username: str) -> list:
    """The conditions of the filters, on the open cases of `department` (None: every department's)."""
    where = [OPEN]
    if department is not None:
        where.append(queue.c.department == department)
    if filters.section:
        where.append(queue.c.section == filters.section)
    if filters.sub_service:
        where.append(queue.c.sub_service == filters.sub_service)
    if filters.status:
        where.append(queue.c.status == filters.status)
    if filters.mine:
        where.append(queue.c.assignee == username)
    if filters.unassigned:
        where.append(queue.c.assignee.is_(None))
    if filters.escalated:
        where.append(queue.c.escalated_due_at.is_not(None))
    if filters.q:
        term = "TW" + filters.q[2:] if filters.q[:2].lower() == "tw" else filters.q  # `tw2600…` as typed
        where.append(or_(queue.c.case_id == term, queue.c.subject_id == term))
    return where


def page_query(filters: Filters, department: str | None, username: str) -> Select:
    return (select(queue).where(*matching(filters, department, username))
            .order_by(URGENCY, queue.c.due_at.nulls_last(), queue.c.case_id)
            .limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE))


def count_query(filters: Filters, department: str | None, username: str) -> Select:
    bounded = (select(queue.c.case_id).where(*matching(filters, department, username))
               .order_by(URGENCY, queue.c.due_at.nulls_last(), queue.c.case_id).limit(COUNTED + 1))  # the index's
    return select(func.count()).select_from(bounded.subquery())


def next_after(department: str, case_id: str, username: str) -> Select:
    """The case after `case_id` in its department's queue (for the "next case" key): the first open case of the
    department in queue order other than this one, preferring those nobody has or the officer's own."""
    return (select(queue.c.case_id).where(OPEN, queue.c.department == department, queue.c.case_id != case_id,
                                          or_(queue.c.assignee.is_(None), queue.c.assignee == username))
            .order_by(URGENCY, queue.c.due_at.nulls_last(), queue.c.case_id).limit(1))
