"""The officers' pages: signing in and out, the queue, and a case with its timeline and the actions its state
allows (plain forms, each answered with a redirect back to the case, or the page again saying why not; htmx
refreshes the queue's rows and the case's presence in place).

Every handler checks its caller against the case it touches (`casework.access`), whatever the page offered.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from casework import domain, handlers, listing, presence
from casework.access import WORKERS, Forbidden, check_assign, check_read, queue_department
from casework.accounts import Accounts
from casework.api import CASE, CaseView
from casework.attachments import Attachments
from casework.identity import SIGN_IN, Guards, Identity
from casework.language import DIRECTION, translations
from casework.projection import queue
from casework.reference import Reference
from casework.signin import Refused, SignIn
from casework.templating import language_of, page
from casework.timeline import timeline
from casework.users import User
from contracts.vocabulary import REJECTION_REASONS, Language, Line, Text
from services.app import Runtime

HOME = "/queue"
USERS = "/users"
SHA256 = r"^[0-9a-f]{64}$"


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//elsewhere` or `https://…`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


def _now() -> datetime:
    return datetime.now(UTC)


def routes(runtime: Runtime, guards: Guards, identity: Identity, sign_in: SignIn, accounts: Accounts,
           reference: Reference) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    anyone = Depends(guards.anyone())
    readers = Depends(guards.allow("officer", "supervisor", "auditor", page=True))
    workers = Depends(guards.allow("officer", "supervisor", page=True))
    supervisors = Depends(guards.allow("supervisor", page=True))
    attachments = Attachments(runtime.settings)  # type: ignore[arg-type]

    def countdown_of(row, now: datetime):
        return reference.countdown(due_at=row.due_at, sla_seconds=row.sla_seconds, paused_at=row.paused_at,
                                   now=now, breached=row.breached_due_at is not None)

    def render(request: Request, name: str, user: User, **context) -> HTMLResponse:
        return page(request, name, lang=user.language, user=user, reference=reference, **context)

    @router.get("/")
    async def home(user: User | None = anyone) -> RedirectResponse:
        return RedirectResponse(SIGN_IN if user is None else USERS if user.role == "admin" else HOME,
                                status_code=303)

    @router.get(USERS)
    async def users_page(request: Request, user: User = Depends(guards.allow("admin", "auditor", page=True))
                         ) -> HTMLResponse:
        """The users and every change made to them: an admin's page, and an auditor's record."""
        return render(request, "users.html", user, people=await accounts.list(),
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

    @router.post("/language")
    async def language_form(language: Annotated[Literal["ar", "en"], Form()], next: Annotated[str, Form()] = HOME,
                            user: User = Depends(guards.allow("officer", "supervisor", "auditor", "admin",
                                                              page=True))) -> RedirectResponse:
        """The user's pages in `language` from now on, on every device (kept with the user, and recorded)."""
        await accounts.set_language(user.username, language, actor=user.username)
        return RedirectResponse(_safe_next(next), status_code=303)

    # The queue

    async def listed(request: Request, user: User) -> tuple[listing.Listing, dict]:
        try:
            filters = listing.Filters.of(dict(request.query_params))
        except ValidationError as error:
            raise HTTPException(422, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                               for e in error.errors())) from None
        department = queue_department(user, filters.department)
        async with runtime.sessions() as session:
            rows = (await session.execute(listing.page_query(filters, department, user.username))).all()
            matching = await session.scalar(listing.count_query(filters, department, user.username)) or 0
            seen = await presence.others(session, [row.case_id for row in rows], user, now=_now())
        now = _now()
        countdowns = {row.case_id: countdown_of(row, now) for row in rows}
        return listing.Listing(filters, rows, matching), {"countdowns": countdowns, "presence": seen,
                                                          "department": department}

    @router.get(HOME)
    async def queue_page(request: Request, user: User = readers) -> HTMLResponse:
        """The department's open cases; with `HX-Request`, only the rows (the page refreshes them in place)."""
        found, context = await listed(request, user)
        officers = await department_officers(user) if user.role == "supervisor" else []
        name = "queue_rows.html" if request.headers.get("hx-request") == "true" else "queue.html"
        return render(request, name, user, listing=found, officers=officers, can_work=user.role in WORKERS,
                      **context)

    async def department_officers(user: User) -> list[User]:
        return [person for person in await accounts.list() if person.department == user.department
                and person.role in WORKERS and not person.disabled]

    @router.post("/queue/claim")
    async def claim_many(request: Request, case_ids: Annotated[list[str], Form(max_length=100)],
                         user: User = workers) -> HTMLResponse:
        """Claim every selected case; each is its own event, and each one refused says why."""
        return await on_many(request, user, case_ids, domain.Claim())

    @router.post("/queue/assign")
    async def assign_many(request: Request, case_ids: Annotated[list[str], Form(max_length=100)],
                          officer: Annotated[Line, Form(min_length=1, max_length=64)],
                          user: User = supervisors) -> HTMLResponse:
        check_assign(user, user.department)
        chosen = await accounts.get(officer)
        return await on_many(request, user, case_ids, domain.Assign(officer=chosen, username=officer))

    async def on_many(request: Request, user: User, case_ids: list[str], command: domain.Command) -> HTMLResponse:
        done, refused = [], []
        for case_id in dict.fromkeys(case_ids):
            try:
                await handlers.perform(runtime, case_id, command, user, None)
                done.append(case_id)
            except LookupError:
                refused.append((case_id, f"no case {case_id}"))
            except (domain.CaseNotActionable, Forbidden) as error:
                refused.append((case_id, error.reason))
            except handlers.Conflict as error:
                refused.append((case_id, "; ".join(error.changes)))
        found, context = await listed(request, user)
        officers = await department_officers(user) if user.role == "supervisor" else []
        return render(request, "queue.html", user, listing=found, officers=officers, can_work=True, done=done,
                      refused=refused, status_code=200 if done or not refused else 409, **context)

    # One case

    async def case_page(request: Request, user: User, case_id: str, *, message: str | None = None,
                        failed: bool = False, status_code: int = 200,
                        revealed: frozenset[str] = frozenset()) -> HTMLResponse:
        async with runtime.sessions() as session:
            row = (await session.execute(select(queue).where(queue.c.case_id == case_id,
                                                             queue.c.submitted_at.is_not(None)))).one_or_none()
            if row is None:
                raise HTTPException(404, f"no case {case_id}")
            check_read(user, row.department)
            entries = (await session.execute(select(timeline).where(timeline.c.case_id == case_id)
                                             .order_by(timeline.c.at, timeline.c.event_id))).all()
            after = await session.scalar(listing.next_after(row.department, case_id, user.username)) \
                if row.department and user.role in WORKERS else None
            seen = await presence.others(session, [case_id], user, now=_now())
        view = CaseView.of(row)
        submitted = next((entry.data for entry in entries if entry.type == "RequestSubmitted"), None)
        actions = domain.available(handlers.case_of(row._mapping), user)
        language: Language = (submitted or {}).get("language") or "ar"
        return render(
            request, "case.html", user, case=view, submitted=submitted, timeline=entries,
            countdown=countdown_of(row, _now()),
            actions=actions, can_work=user.role in WORKERS, reasons=REJECTION_REASONS, message=message,
            failed=failed, status_code=status_code, revealed=revealed, files=files_of(entries), next_case=after,
            presence=seen.get(case_id, []), beneficiary_language=language,
            beneficiary_dir=DIRECTION.get(language, "rtl"),
            officers=await department_officers(user) if "assign" in actions else [],
            departments=[(code, reference.department_name(code, user.language)) for code in reference.departments
                         if code != row.department],
            replies={use: [(reply.titles[user.language], reply.texts[language])
                           for reply in reference.replies_for(row.department, use)]
                     for use in ("reply", "question")},
        )

    @router.get("/cases/{case_id}")
    async def show_case(request: Request, case_id: str = CASE, user: User = readers) -> HTMLResponse:
        done = request.query_params.get("done")
        return await case_page(request, user, case_id, message=translations(user.language).gettext("Done.")
                               if done else None)

    async def form_action(request: Request, user: User, case_id: str, command: domain.Command,
                          seen: int | None) -> HTMLResponse:
        try:
            await handlers.perform(runtime, case_id, command, user, seen)
        except LookupError:
            raise HTTPException(404, f"no case {case_id}") from None
        except domain.CaseNotActionable as error:
            return await case_page(request, user, case_id, message=error.reason, failed=True, status_code=409)
        except handlers.Conflict as error:
            text = translations(user.language).gettext(
                "The case changed before your action; reload it: %(changes)s") % {"changes": "; ".join(error.changes)}
            return await case_page(request, user, case_id, message=text, failed=True, status_code=409)
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

    @router.post("/cases/{case_id}/assign")
    async def assign_form(request: Request, officer: Annotated[Line, Form(min_length=1, max_length=64)],
                          expected_version: Version = None, case_id: str = CASE,
                          user: User = supervisors) -> HTMLResponse:
        chosen = await accounts.get(officer)
        return await form_action(request, user, case_id, domain.Assign(officer=chosen, username=officer),
                                 expected_version)

    @router.post("/cases/{case_id}/notes")
    async def note_form(request: Request, note: Annotated[Text, Form(min_length=1, max_length=4000)],
                        expected_version: Version = None, case_id: str = CASE,
                        user: User = workers) -> HTMLResponse:
        return await form_action(request, user, case_id, domain.AddNote(note=note), expected_version)

    @router.post("/cases/{case_id}/request-information")
    async def question_form(request: Request, question: Annotated[Text, Form(min_length=1, max_length=2000)],
                            expected_version: Version = None, case_id: str = CASE,
                            user: User = workers) -> HTMLResponse:
        return await form_action(request, user, case_id, domain.RequestInformation(question=question),
                                 expected_version)

    @router.post("/cases/{case_id}/transfer")
    async def transfer_form(request: Request, to_department: Annotated[Line, Form(min_length=1, max_length=64)],
                            reason: Annotated[Text, Form(min_length=1, max_length=1000)],
                            expected_version: Version = None, case_id: str = CASE,
                            user: User = workers) -> HTMLResponse:
        return await form_action(request, user, case_id, domain.RequestTransfer(to_department=to_department,
                                                                                reason=reason), expected_version)

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

    @router.post("/cases/{case_id}/reveal")
    async def reveal_form(request: Request, reason: Annotated[Text, Form(min_length=3, max_length=500)],
                          fields: Annotated[list[Literal["subject_id", "account_id"]], Form(min_length=1)],
                          case_id: str = CASE, user: User = workers) -> HTMLResponse:
        """The case's ID numbers in full, for this page only: the reveal is recorded first (who, which, why)."""
        chosen = tuple(dict.fromkeys(fields))
        try:
            await handlers.perform(runtime, case_id, domain.RevealIdentity(fields=chosen, reason=reason), user,
                                   None)
        except LookupError:
            raise HTTPException(404, f"no case {case_id}") from None
        except (domain.CaseNotActionable, handlers.Conflict) as error:
            return await case_page(request, user, case_id, message=str(error), failed=True, status_code=409)
        return await case_page(request, user, case_id, revealed=frozenset(chosen))

    @router.get("/cases/{case_id}/attachments/{sha256}")
    async def attachment(request: Request, case_id: str = CASE,
                         sha256: str = PathParam(pattern=SHA256),
                         download: bool = False, user: User = readers) -> Response:
        """One of the case's files, to whoever may read the case (checked here, not by intake)."""
        async with runtime.sessions() as session:
            department = await session.scalar(select(queue.c.department).where(
                queue.c.case_id == case_id, queue.c.submitted_at.is_not(None)))
            if department is None and user.role != "auditor":
                raise HTTPException(404, f"no case {case_id}")
            check_read(user, department)
            entries = (await session.execute(select(timeline.c.data, timeline.c.type)
                                             .where(timeline.c.case_id == case_id))).all()
        ref = next((file for file in files_of(entries) if file["sha256"] == sha256), None)
        if ref is None:
            raise HTTPException(404, f"case {case_id} has no attachment {sha256}")
        return await attachments.open(case_id, ref, download=download)

    # Working together

    @router.post("/cases/{case_id}/presence")
    async def here(request: Request, case_id: str = CASE, typing: Annotated[bool, Form()] = False,
                   leaving: Annotated[bool, Form()] = False, user: User = readers) -> HTMLResponse:
        """The case page's heartbeat: its officer has it open (and is typing, or not), or has left it."""
        async with runtime.sessions.begin() as session:
            department = await session.scalar(select(queue.c.department).where(queue.c.case_id == case_id))
            check_read(user, department)
            if leaving:
                await presence.leave(session, case_id, user)
            else:
                await presence.beat(session, case_id, user, typing=typing, now=_now())
            seen = await presence.others(session, [case_id], user, now=_now())
        return render(request, "presence.html", user, presence=seen.get(case_id, []))

    return router


def files_of(entries) -> list[dict]:
    """Every file of the case: the request's, and those sent with answers to information requests."""
    return [file for entry in entries if entry.type in ("RequestSubmitted", "InfoProvided")
            for file in entry.data.get("attachments") or []]
