"""The officers' pages: signing in and out, and the queue."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from casework.access import queue_department
from casework.identity import SIGN_IN, Guards, Identity
from casework.projection import queue
from casework.signin import Refused, SignIn
from casework.templating import language_of, page
from casework.users import User
from services.app import Runtime

HOME = "/queue"


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//elsewhere` or `https://…`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


def routes(runtime: Runtime, guards: Guards, identity: Identity, sign_in: SignIn) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    anyone = Depends(guards.anyone())
    readers = Depends(guards.allow("officer", "supervisor", "auditor", page=True))

    @router.get("/")
    async def home(user: User | None = anyone) -> RedirectResponse:
        return RedirectResponse(HOME if user else SIGN_IN, status_code=303)

    @router.get(SIGN_IN)
    async def sign_in_page(request: Request, next: str | None = None, lang: str | None = None,
                           user: User | None = anyone) -> HTMLResponse:
        if user is not None:
            return RedirectResponse(_safe_next(next), status_code=303)
        return page(request, "sign_in.html", lang=language_of(request, lang), next=_safe_next(next))

    @router.post(SIGN_IN)
    async def sign_in_form(request: Request, username: Annotated[str, Form(max_length=64)],
                           password: Annotated[str, Form(max_length=1024)], next: Annotated[str, Form()] = HOME,
                           lang: Annotated[str | None, Form()] = None, _: User | None = anyone) -> HTMLResponse:
        address = request.client.host if request.client else "unknown"
        outcome = await sign_in.sign_in(username.strip(), password, address)
        if isinstance(outcome, Refused):
            status = 429 if outcome.retry_after_s else 401
            response = page(request, "sign_in.html", lang=language_of(request, lang), next=_safe_next(next),
                            username=username, refused=outcome, status_code=status)
            if outcome.retry_after_s:
                response.headers["Retry-After"] = str(int(outcome.retry_after_s + 0.999))
            return response
        await identity.sign_in(request, outcome)
        return RedirectResponse(_safe_next(next), status_code=303)

    @router.post("/sign-out")
    async def sign_out(request: Request, _: User | None = anyone) -> RedirectResponse:
        await identity.sign_out(request)
        return RedirectResponse(SIGN_IN, status_code=303)

    @router.get(HOME)
    async def queue_page(request: Request, user: User = readers) -> HTMLResponse:
        department = queue_department(user, None)
        matching = [queue.c.submitted_at.is_not(None), queue.c.status != "resolved"]
        if department is not None:
            matching.append(queue.c.department == department)
        query = select(queue).where(*matching).order_by(queue.c.due_at.nulls_last(), queue.c.case_id).limit(50)
        async with runtime.sessions() as session:
            rows = (await session.execute(query)).all()
        return page(request, "queue.html", lang=user.language, user=user, cases=rows)

    return router
