"""Casework: the officers' queue of routed cases, and what officers do to them."""

import secrets
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import cast

import structlog
from fastapi import APIRouter, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from casework import api, dashboard, handlers, history_page, pages
from casework.access import Forbidden
from casework.accounts import Accounts
from casework.case_log import CASE_LOG
from casework.credentials import Credentials
from casework.identity import Guards, Identity, middleware, unguarded
from casework.projection import QUEUE
from casework.reference import Reference
from casework.settings import CaseworkSettings
from casework.signin import LocalPasswords
from casework.templating import language_of, page
from casework.timeline import TIMELINE
from contracts.events import CASEWORK
from services.app import Parts, Runtime, Service
from services.case_events import CaseEvents
from services.projection import Projection
from services.ratelimit import RateLimiter

log = structlog.get_logger()
STATIC = Path(__file__).parent / "static"
READ_MODELS = (QUEUE, TIMELINE, CASE_LOG)
Projections = Callable[[], Mapping[str, Sequence[Projection]]]
"""Every service's read models of the case log, by service (asked for when first needed)."""


def own_projections() -> Mapping[str, Sequence[Projection]]:
    """A casework given no other service's read models: as-of says what casework's said."""
    return {"casework": READ_MODELS}


def _wants_page(request: Request) -> bool:
    """A browser asking for a page (not a program calling the API): it is answered with one."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


async def _forbidden(request: Request, error: Forbidden) -> Response:
    if _wants_page(request):
        return _error_page(request, 403, error.reason)
    return JSONResponse({"detail": error.reason}, status_code=403)


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    if _wants_page(request) and error.status_code in (403, 404, 409, 422, 502, 503):
        return _error_page(request, error.status_code, str(error.detail))
    return await http_exception_handler(request, error)


def _error_page(request: Request, status: int, reason: str) -> Response:
    user = request.scope.get("tawasul.user")
    language = user.language if user is not None else language_of(request, None)
    return page(request, "error.html", lang=language, user=user, status=status, reason=reason, status_code=status)


def build(runtime: Runtime, reference: Reference = Reference(), projections: Projections = own_projections) -> Parts:
    settings = cast(CaseworkSettings, runtime.settings)
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    if secret is None:
        log.warning("casework.session_secret_unset", consequence="sessions end with this process and are not "
                    "shared with other casework processes; set TAWASUL_SESSION_SECRET")
        secret = secrets.token_urlsafe(32)
    departments: frozenset[str] = frozenset()  # casework adds no user (the CLI does): no department to check
    limiter = lambda: RateLimiter(rate=settings.signin_failure_rate_per_s,  # noqa: E731
                                  burst=settings.signin_failure_burst)
    credentials = Credentials(runtime.sessions, absolute_s=settings.session_absolute_s)
    identity = Identity(credentials, failures=RateLimiter(rate=1.0, burst=20))
    guards = Guards(identity)
    accounts = Accounts(runtime.sessions, departments)
    sign_in = LocalPasswords(accounts, per_username=limiter(), per_address=limiter())
    routes = APIRouter()
    routes.include_router(api.routes(runtime, guards, accounts))
    routes.include_router(pages.routes(runtime, guards, identity, sign_in, accounts, reference))
    routes.include_router(dashboard.routes(runtime, guards, reference))
    routes.include_router(history_page.routes(runtime, guards, reference, projections))
    if missing := unguarded(routes.routes):
        raise RuntimeError(f"routes that say nothing of who may call them: {missing}")
    # Casework's own events are folded as they are emitted (`handlers`).
    return Parts(
        subscriptions=[CaseEvents.folding(*READ_MODELS, besides=CASEWORK, deciding=handlers.handlers())],
        routes=routes,
        middleware=middleware(settings, secret),
        exception_handlers={Forbidden: _forbidden, StarletteHTTPException: _http_error},
        mounts={"/static": StaticFiles(directory=STATIC)},
    )


def service(reference: Reference = Reference(), projections: Projections = own_projections) -> Service:
    """Casework, given what it reads departments and working time with, and every service's read models for the
    auditor's page to fold a case's history through (the composition root's to give)."""
    return Service(
        name="casework",
        migrations=Path(__file__).parent / "migrations",
        build=partial(build, reference=reference, projections=projections),
        settings=CaseworkSettings,
        read_models=lambda: [CaseEvents.folding(*READ_MODELS)],
    )
