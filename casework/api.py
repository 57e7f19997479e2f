"""Officers' HTTP API: the queue, one case, and what an officer does to it (resolve, ask, transfer).

Every operation needs a credential (a session, or a user's API key as `Authorization: Bearer`); the acting
officer is the credential's user, never something the body says. Officers and supervisors see and work their own
department's cases, auditors read every case and act on none (`casework.access`)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, Security
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_serializer
from sqlalchemy import func, select

from casework import domain, handlers
from casework.access import check_read, queue_department
from casework.identity import Guards
from casework.projection import queue
from casework.users import User
from contracts.vocabulary import CASE_ID_PATTERN, RIYADH, Line, Outcome, Text
from services.app import Runtime
from services.eventstore import ConcurrencyError, unit_of_work
from services.http import DIGITS, problems

MAX_OFFSET = 2**31 - 1
CASE = Path(pattern=CASE_ID_PATTERN, description="the case's tracking number, e.g. TW2600000018")

Status = Literal["submitted", "open", "awaiting_information", "resolved"]


class Body(BaseModel):
    """What an officer sends; a field it does not define (such as an `officer_id`) is refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class ResolveBody(Body):
    outcome: Outcome
    public_reply: Text = Field(min_length=1, max_length=4000)


class InformationBody(Body):
    question: Text = Field(min_length=1, max_length=2000, description="sent to the beneficiary as written")


class TransferBody(Body):
    to_department: Line = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=1, max_length=1000, description="internal; never shown to the beneficiary")


class CaseView(BaseModel):
    case_id: str
    section: str | None
    sub_service: str | None
    department: str | None
    status: str
    outcome: str | None
    due_at: datetime | None

    @field_serializer("due_at")
    def _riyadh(self, value: datetime | None) -> datetime | None:
        return value.astimezone(RIYADH) if value is not None else None


BEARER = HTTPBearer(auto_error=False, description="a user's API key: `tawasul users key USERNAME`")


def routes(runtime: Runtime, guards: Guards) -> APIRouter:
    router = APIRouter(prefix="/api/v1/cases", tags=["cases"], dependencies=[Security(BEARER)])
    readers = Depends(guards.allow("officer", "supervisor", "auditor"))
    workers = Depends(guards.allow("officer", "supervisor"))

    @router.get("", responses={**problems(401, 403, 413, 429), 200: {"headers": {
        "X-Total-Count": {"description": "cases matching the filters, on every page", "schema": {"type": "integer"}},
        "Link": {"description": "`<…>; rel=\"next\"` while there are more", "schema": {"type": "string"}},
    }}})
    async def list_cases(
        request: Request,
        response: Response,
        user: User = readers,
        department: Line | None = Query(default=None, max_length=64, description="an auditor's choice; an "
                                        "officer's or supervisor's queue is their department's"),
        status: Status | None = None,
        limit: Annotated[int, Query(ge=1, le=1000), DIGITS] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="cases to skip: the next page starts at "
                                     "offset + limit"), DIGITS] = 0,
    ) -> list[CaseView]:
        """The queue in the order cases were routed, a page at a time; the total is in `X-Total-Count`."""
        matching = [queue.c.submitted_at.is_not(None)]
        department = queue_department(user, department)
        if department is not None:
            matching.append(queue.c.department == department)
        if status is not None:
            matching.append(queue.c.status == status)
        query = (select(queue).where(*matching).order_by(queue.c.routed_at.nulls_last(), queue.c.case_id)
                 .limit(limit).offset(offset))
        async with runtime.sessions() as session:
            rows = (await session.execute(query)).all()
            total = await session.scalar(select(func.count()).select_from(queue).where(*matching))
        response.headers["X-Total-Count"] = str(total)
        if offset + limit < (total or 0):
            response.headers["Link"] = f'<{request.url.include_query_params(offset=offset + limit)}>; rel="next"'
        return [CaseView.model_validate(row, from_attributes=True) for row in rows]

    async def read(case_id: str, user: User) -> CaseView:
        async with runtime.sessions() as session:
            row = (await session.execute(
                select(queue).where(queue.c.case_id == case_id, queue.c.submitted_at.is_not(None))
            )).one_or_none()
        if row is None:
            raise HTTPException(404, f"no case {case_id}")
        check_read(user, row.department)
        return CaseView.model_validate(row, from_attributes=True)

    @router.get("/{case_id}", responses=problems(401, 403, 404, 413, 429))
    async def get_case(case_id: str = CASE, user: User = readers) -> CaseView:
        return await read(case_id, user)

    async def act(case_id: str, command: domain.Command, user: User) -> CaseView:
        try:
            async with unit_of_work(runtime.sessions, runtime.store) as unit:
                await handlers.act(unit, case_id, command, user)
        except LookupError:
            raise HTTPException(404, f"no case {case_id}") from None
        except domain.CaseNotActionable as error:
            raise HTTPException(409, error.reason) from None
        except ConcurrencyError:
            raise HTTPException(409, "the case changed meanwhile; reload and try again") from None
        return await read(case_id, user)

    @router.post("/{case_id}/resolve", responses=problems(400, 401, 403, 404, 409, 413, 429))
    async def resolve(body: ResolveBody, case_id: str = CASE, user: User = workers) -> CaseView:
        """Close the case with its outcome and the reply the beneficiary will read."""
        return await act(case_id, domain.ResolveCase(**body.model_dump()), user)

    @router.post("/{case_id}/request-information", responses=problems(400, 401, 403, 404, 409, 413, 429))
    async def request_information(body: InformationBody, case_id: str = CASE, user: User = workers) -> CaseView:
        """Ask the beneficiary for something; the SLA clock pauses until they answer through their portal."""
        return await act(case_id, domain.RequestInformation(**body.model_dump()), user)

    @router.post("/{case_id}/transfer", responses=problems(400, 401, 403, 404, 409, 413, 429))
    async def transfer(body: TransferBody, case_id: str = CASE, user: User = workers) -> CaseView:
        """Ask routing to send the case to another department (it checks the department; the clock runs on)."""
        return await act(case_id, domain.RequestTransfer(**body.model_dump()), user)

    return router
