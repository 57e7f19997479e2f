"""Casework: the officers' queue of routed cases, and what officers do to them."""

import secrets
from pathlib import Path
from typing import cast

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from casework import api, handlers, pages
from casework.access import Forbidden
from casework.accounts import Accounts
from casework.credentials import Credentials
from casework.identity import Guards, Identity, middleware, unguarded
from casework.projection import QUEUE
from casework.settings import CaseworkSettings
from casework.signin import LocalPasswords
from casework.timeline import TIMELINE
from contracts.events import CASEWORK
from services.app import Parts, Runtime, Service
from services.case_events import CaseEvents
from services.ratelimit import RateLimiter

log = structlog.get_logger()
STATIC = Path(__file__).parent / "static"


async def _forbidden(request: Request, error: Forbidden) -> JSONResponse:
    return JSONResponse({"detail": error.reason}, status_code=403)


def build(runtime: Runtime) -> Parts:
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
    routes.include_router(pages.routes(runtime, guards, identity, sign_in, accounts))
    if missing := unguarded(routes.routes):
        raise RuntimeError(f"routes that say nothing of who may call them: {missing}")
    # Casework's own events are folded as they are emitted (`handlers`).
    return Parts(
        subscriptions=[CaseEvents.folding(QUEUE, TIMELINE, besides=CASEWORK, deciding=handlers.handlers())],
        routes=routes,
        middleware=middleware(settings, secret), exception_handlers={Forbidden: _forbidden},
        mounts={"/static": StaticFiles(directory=STATIC)},
    )


SERVICE = Service(
    name="casework",
    migrations=Path(__file__).parent / "migrations",
    build=build,
    settings=CaseworkSettings,
    read_models=lambda: [CaseEvents.folding(QUEUE, TIMELINE)],
)
