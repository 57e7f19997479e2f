"""The officers' pages: signing in and out, the queue, and a case with its timeline and the actions its state
allows (plain forms, each answered with a redirect back to the case, or the page again saying why not)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from casework import domain, handlers
from casework.access import WORKERS, check_read, queue_department
from casework.accounts import Accounts
from casework.api import CASE, CaseView
from casework.identity import SIGN_IN, Guards, Identity
from casework.language import translations
from casework.projection import queue
from casework.signin import Refused, SignIn
from casework.templating import language_of, page
from casework.timeline import timeline
from casework.users import User
from contracts.vocabulary import REJECTION_REASONS, Text
from services.app import Runtime
from services.eventstore import ConcurrencyError, unit_of_work

HOME = "/queue"
USERS = "/users"


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//elsewhere` or `https://…`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


def sla_state(case: CaseView) -> str:
    """The SLA colour of a case: grey while paused, red past due, amber once warned, green before."""
    return "paused" if case.paused else "breached" if case.breached else "warned" if case.warned else "running"


def available(row, user: User) -> set[str]:
    return domain.available(handlers.case_of(row._mapping), user)


def routes(runtime: Runtime, guards: Guards, identity: Identity, sign_in: SignIn, accounts: Accounts) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    anyone = Depends(guards.anyone())
    readers = Depends(guards.allow("officer", "supervisor", "auditor", page=True))

    @router.get("/")
    async def home(user: User | None = anyone) -> RedirectResponse:
        return RedirectResponse(SIGN_IN if user is None else USERS if user.role == "admin" else HOME,
                                status_code=303)

    @router.get(USERS)
    async def users_page(request: Request, user: User = Depends(guards.allow("admin", "auditor", page=True))
                         ) -> HTMLResponse:
        """The users and every change made to them: an admin's page, and an auditor's record."""
        return page(request, "users.html", lang=user.language, user=user, people=await accounts.list(),
                    changes=list(reversed(await accounts.changes())))

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
        target = _safe_next(next)
        return RedirectResponse(USERS if target == HOME and outcome.role == "admin" else target, status_code=303)

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

    workers = Depends(guards.allow("officer", "supervisor", page=True))

    async def case_page(request: Request, user: User, case_id: str, *, message: str | None = None,
                        failed: bool = False, status_code: int = 200) -> HTMLResponse:
        async with runtime.sessions() as session:
            row = (await session.execute(select(queue).where(queue.c.case_id == case_id,
                                                             queue.c.submitted_at.is_not(None)))).one_or_none()
            if row is None:
                raise HTTPException(404, f"no case {case_id}")
            check_read(user, row.department)
            entries = (await session.execute(select(timeline).where(timeline.c.case_id == case_id)
                                             .order_by(timeline.c.at, timeline.c.event_id))).all()
        view = CaseView.of(row)
        submitted = next((entry.data for entry in entries if entry.type == "RequestSubmitted"), None)
        return page(request, "case.html", lang=user.language, user=user, case=view, submitted=submitted,
                    timeline=entries, sla=sla_state(view), actions=available(row, user),
                    can_work=user.role in WORKERS, reasons=REJECTION_REASONS, message=message, failed=failed,
                    status_code=status_code)

    @router.get("/cases/{case_id}")
    async def show_case(request: Request, case_id: str = CASE, user: User = readers) -> HTMLResponse:
        done = request.query_params.get("done")
        return await case_page(request, user, case_id, message=translations(user.language).gettext("Done.")
                               if done else None)

    async def form_action(request: Request, user: User, case_id: str, command: domain.Command,
                          seen: int | None) -> HTMLResponse:
        try:
            async with unit_of_work(runtime.sessions, runtime.store) as unit:
                await handlers.act(unit, case_id, command, user, seen=seen)
        except LookupError:
            raise HTTPException(404, f"no case {case_id}") from None
        except domain.CaseNotActionable as error:
            return await case_page(request, user, case_id, message=error.reason, failed=True, status_code=409)
        except handlers.Conflict as error:
            text = translations(user.language).gettext(
                "The case changed before your action; reload it: %(changes)s") % {"changes": "; ".join(error.changes)}
            return await case_page(request, user, case_id, message=text, failed=True, status_code=409)
        except ConcurrencyError:
            return await case_page(request, user, case_id, message="the case changed meanwhile", failed=True,
                                   status_code=409)
        return RedirectResponse(f"/cases/{case_id}?done=1", status_code=303)

    Version = Annotated[int | None, Form(ge=0, le=2**31 - 1)]

    @router.post("/cases/{case_id}/claim")
    async def claim_form(request: Request, expected_version: Version = None, case_id: str = CASE,
                         user: User = workers) -> HTMLResponse:
        return await form_action(request, user, case_id, domain.Claim(), expected_version)

    @router.post("/cases/{case_id}/release")
    async def release_form(request: Request, expected_version: Version = None, case_id: str = CASE,
                           user: User = workers) -> HTMLResponse:
        return await form_action(request, user, case_id, domain.Release(), expected_version)

    @router.post("/cases/{case_id}/notes")
    async def note_form(request: Request, note: Annotated[Text, Form(min_length=1, max_length=4000)],
                        expected_version: Version = None, case_id: str = CASE,
                        user: User = workers) -> HTMLResponse:
        return await form_action(request, user, case_id, domain.AddNote(note=note), expected_version)

    @router.post("/cases/{case_id}/resolve")
    async def resolve_form(request: Request, outcome: Annotated[Literal["completed", "rejected"], Form()],
                           public_reply: Annotated[Text, Form(min_length=1, max_length=4000)],
                           rejection_reason: Annotated[str | None, Form()] = None,
                           expected_version: Version = None, case_id: str = CASE,
                           user: User = workers) -> HTMLResponse:
        reason = rejection_reason or None
        if reason is not None and reason not in REJECTION_REASONS:
            return await case_page(request, user, case_id, message=f"no reason {reason!r}", failed=True,
                                   status_code=422)
        return await form_action(request, user, case_id, domain.ResolveCase(
            outcome=outcome, public_reply=public_reply, rejection_reason=reason), expected_version)

    return router
