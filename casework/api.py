"""Officers' HTTP API: the queue, one case, and what an officer does to it — claim, assign, release, note,
resolve, ask the beneficiary, transfer.

Every operation needs a credential (a session, or a user's API key as `Authorization: Bearer`); the acting
officer is the credential's user, never something the body says. Officers and supervisors see and work their own
department's cases, auditors read every case and act on none (`casework.access`). An action may name the
`expected_version` of the case its caller saw: if the case has moved on since, the answer is 409 saying what
changed, and nothing is done.
"""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, Security
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_serializer
from sqlalchemy import func, select

from casework import domain, handlers
from casework.access import check_read, queue_department
from casework.accounts import Accounts
from casework.identity import Guards
from casework.projection import queue
from casework.users import User
from contracts.vocabulary import CASE_ID_PATTERN, RIYADH, Line, Outcome, RejectionReason, Text
from services.app import Runtime
from services.http import DIGITS, problems

MAX_OFFSET = 2**31 - 1
MAX_VERSION = 2**31 - 1
CASE = Path(pattern=CASE_ID_PATTERN, description="the case's tracking number, e.g. TW2600000018")

Status = Literal["submitted", "open", "awaiting_information", "resolved"]


class Body(BaseModel):
    """What an officer sends; a field it does not define (such as an `officer_id`) is refused, never ignored."""

    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(default=None, ge=0, le=MAX_VERSION, description="the `version` of the "
                                         "case as the caller saw it: if it has changed since, 409 says how")


class ResolveBody(Body):
    outcome: Literal["completed", "rejected"]
    rejection_reason: RejectionReason | None = Field(default=None, description="required exactly when rejected")
    public_reply: Text = Field(min_length=1, max_length=4000, description="sent to the beneficiary as written")


class InformationBody(Body):
    question: Text = Field(min_length=1, max_length=2000, description="sent to the beneficiary as written")


class TransferBody(Body):
    to_department: Line = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=1, max_length=1000, description="internal; never shown to the beneficiary")


class AssignBody(Body):
    officer: Line = Field(min_length=1, max_length=64, description="the username of an officer of the department")


class NoteBody(Body):
    note: Text = Field(min_length=1, max_length=4000, description="internal; never shown to the beneficiary")


class QueueQuery(BaseModel):
    """The queue's filters and page; a parameter it does not define is refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")

    department: Line | None = Field(default=None, max_length=64, description="an auditor's choice; an officer's "
                                    "or supervisor's queue is their department's")
    status: Status | None = None
    limit: Annotated[int, Field(ge=1, le=1000), DIGITS] = 100
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET, description="cases to skip: the next page starts at "
                                 "offset + limit"), DIGITS] = 0


class CaseView(BaseModel):
    case_id: str
    section: str | None
    sub_service: str | None
    department: str | None
    status: str
    outcome: Outcome | None
    rejection_reason: RejectionReason | None
    due_at: datetime | None
    warn_at: datetime | None = Field(description="when the SLA warning is (or was) due")
    paused: bool = Field(description="the clock waits for the beneficiary's answer")
    answer_due_at: datetime | None = Field(description="while paused: when the case closes unanswered")
    warned: bool
    breached: bool
    escalated: bool
    assignee: str | None
    notes: int = Field(description="internal notes on the case")
    version: int = Field(description="casework's events on the case so far: send it back as `expected_version`")

    @field_serializer("due_at", "warn_at", "answer_due_at")
    def _riyadh(self, value: datetime | None) -> datetime | None:
        return value.astimezone(RIYADH) if value is not None else None

    @classmethod
    def of(cls, row) -> "CaseView":
        fields = row._mapping
        return cls.model_validate({
            **fields, "paused": fields["paused_at"] is not None,
            "warned": fields["warned_due_at"] is not None and fields["warned_due_at"] == fields["due_at"],
            "breached": fields["breached_due_at"] is not None,
            "escalated": fields["escalated_due_at"] is not None,
        })


BEARER = HTTPBearer(auto_error=False, description="a user's API key: `tawasul users key USERNAME`")
ACTION = problems(400, 401, 403, 404, 409, 413, 429)


def routes(runtime: Runtime, guards: Guards, accounts: Accounts) -> APIRouter:
    router = APIRouter(prefix="/api/v1/cases", tags=["cases"], dependencies=[Security(BEARER)])
    readers = Depends(guards.allow("officer", "supervisor", "auditor"))
    workers = Depends(guards.allow("officer", "supervisor"))
    supervisors = Depends(guards.allow("supervisor"))

    @router.get("", responses={**problems(401, 403, 413, 429), 200: {"headers": {
        "X-Total-Count": {"description": "cases matching the filters, on every page", "schema": {"type": "integer"}},
        "Link": {"description": "`<…>; rel=\"next\"` while there are more", "schema": {"type": "string"}},
    }}})
    async def list_cases(request: Request, response: Response, filters: Annotated[QueueQuery, Query()],
                         user: User = readers) -> list[CaseView]:
        """The queue in the order cases were routed, a page at a time; the total is in `X-Total-Count`."""
        matching = [queue.c.submitted_at.is_not(None)]
        department = queue_department(user, filters.department)
        if department is not None:
            matching.append(queue.c.department == department)
        if filters.status is not None:
            matching.append(queue.c.status == filters.status)
        limit, offset = filters.limit, filters.offset
        query = (select(queue).where(*matching).order_by(queue.c.routed_at.nulls_last(), queue.c.case_id)
                 .limit(limit).offset(offset))
        async with runtime.sessions() as session:
            rows = (await session.execute(query)).all()
            total = await session.scalar(select(func.count()).select_from(queue).where(*matching))
        response.headers["X-Total-Count"] = str(total)
        if offset + limit < (total or 0):
            response.headers["Link"] = f'<{request.url.include_query_params(offset=offset + limit)}>; rel="next"'
        return [CaseView.of(row) for row in rows]

    async def read(case_id: str, user: User) -> CaseView:
        async with runtime.sessions() as session:
            row = (await session.execute(
                select(queue).where(queue.c.case_id == case_id, queue.c.submitted_at.is_not(None))
            )).one_or_none()
        if row is None:
            raise HTTPException(404, f"no case {case_id}")
        check_read(user, row.department)
        return CaseView.of(row)

    @router.get("/{case_id}", responses=problems(401, 403, 404, 413, 429))
    async def get_case(case_id: str = CASE, user: User = readers) -> CaseView:
        return await read(case_id, user)

    async def act(case_id: str, command: domain.Command, user: User, body: Body) -> CaseView:
        try:
            await handlers.perform(runtime, case_id, command, user, body.expected_version)
        except LookupError:
            raise HTTPException(404, f"no case {case_id}") from None
        except domain.CaseNotActionable as error:
            raise HTTPException(409, error.reason) from None
        except handlers.Conflict as error:
            since = "" if body.expected_version is None else f" since version {body.expected_version}"
            raise HTTPException(409, f"the case changed{since}: {'; '.join(error.changes)}. Reload it and try "
                                "again") from None
        return await read(case_id, user)

    @router.post("/{case_id}/claim", responses=ACTION)
    async def claim(body: Body | None = None, case_id: str = CASE, user: User = workers) -> CaseView:
        """Take the case: it is the caller's to work (unless it is someone else's already)."""
        return await act(case_id, domain.Claim(), user, body or Body())

    @router.post("/{case_id}/assign", responses=ACTION)
    async def assign(body: AssignBody, case_id: str = CASE, user: User = supervisors) -> CaseView:
        """A supervisor gives the case to an officer of the department."""
        officer = await accounts.get(body.officer)
        return await act(case_id, domain.Assign(officer=officer, username=body.officer), user, body)

    @router.post("/{case_id}/release", responses=ACTION)
    async def release(body: Body | None = None, case_id: str = CASE, user: User = workers) -> CaseView:
        """Let the case go back to the department's queue (its officer, or a supervisor)."""
        return await act(case_id, domain.Release(), user, body or Body())

    @router.post("/{case_id}/notes", responses=ACTION)
    async def add_note(body: NoteBody, case_id: str = CASE, user: User = workers) -> CaseView:
        """An internal note: officers, supervisors and auditors read it; the beneficiary never does."""
        return await act(case_id, domain.AddNote(note=body.note), user, body)

    @router.post("/{case_id}/resolve", responses=ACTION)
    async def resolve(body: ResolveBody, case_id: str = CASE, user: User = workers) -> CaseView:
        """Close the case with its outcome (a rejection with its reason) and the reply the beneficiary will read."""
        command = domain.ResolveCase(outcome=body.outcome, public_reply=body.public_reply,
                                     rejection_reason=body.rejection_reason)
        return await act(case_id, command, user, body)

    @router.post("/{case_id}/request-information", responses=ACTION)
    async def request_information(body: InformationBody, case_id: str = CASE, user: User = workers) -> CaseView:
        """Ask the beneficiary for something; the SLA clock pauses until they answer through their portal."""
        return await act(case_id, domain.RequestInformation(question=body.question), user, body)

    @router.post("/{case_id}/transfer", responses=ACTION)
    async def transfer(body: TransferBody, case_id: str = CASE, user: User = workers) -> CaseView:
        """Ask routing to send the case to another department (it checks the department; the clock runs on)."""
        return await act(case_id, domain.RequestTransfer(to_department=body.to_department, reason=body.reason),
                         user, body)

    return router
