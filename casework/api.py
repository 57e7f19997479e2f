"""Officers' HTTP API: the queue, one case, and resolving it."""

from typing import Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from casework import domain, handlers
from casework.projection import queue
from services.app import Runtime
from services.consumer import unit_of_work
from services.eventstore import ConcurrencyError


class ResolveBody(BaseModel):
    outcome: Literal["completed", "declined"]
    public_reply: str = Field(min_length=1, max_length=4000)
    officer_id: str = Field(min_length=1, max_length=64)


class CaseView(BaseModel):
    case_id: str
    section: str | None
    sub_service: str | None
    department: str | None
    status: str
    outcome: str | None


def routes(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

    @router.get("")
    async def list_cases(
        department: str | None = None,
        status: Literal["submitted", "open", "resolved"] | None = None,
        limit: int = Query(default=100, ge=1, le=1000),
    ) -> list[CaseView]:
        query = select(queue).order_by(queue.c.routed_at.nulls_last(), queue.c.case_id).limit(limit)
        if department is not None:
            query = query.where(queue.c.department == department)
        if status is not None:
            query = query.where(queue.c.status == status)
        async with runtime.sessions() as session:
            rows = (await session.execute(query)).all()
        return [CaseView.model_validate(row, from_attributes=True) for row in rows]

    @router.get("/{case_id}")
    async def get_case(case_id: str) -> CaseView:
        async with runtime.sessions() as session:
            row = (await session.execute(select(queue).where(queue.c.case_id == case_id))).one_or_none()
        if row is None:
            raise HTTPException(404, f"no case {case_id}")
        return CaseView.model_validate(row, from_attributes=True)

    @router.post("/{case_id}/resolve")
    async def resolve(case_id: str, body: ResolveBody) -> CaseView:
        command = domain.ResolveCase(case_id=case_id, **body.model_dump())
        try:
            async with unit_of_work(runtime.sessions, runtime.store) as unit:
                await handlers.resolve(unit, command)
        except LookupError:
            raise HTTPException(404, f"no case {case_id}") from None
        except domain.CaseNotResolvable as error:
            raise HTTPException(409, error.reason) from None
        except ConcurrencyError:
            raise HTTPException(409, "the case changed meanwhile; reload and try again") from None
        return await get_case(case_id)

    return router
