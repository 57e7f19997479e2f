"""Who is asking, for every route of casework, and `Guard`: the one dependency each route declares, naming who may
call it.

A request says who it is with a session cookie or an API key:

- the **session cookie** is signed (Starlette's `SessionMiddleware`, with itsdangerous), `HttpOnly`,
  `SameSite=Lax`, `Secure` when casework's public URL is https, and ends once unused for `session_idle_s`; it
  holds only the session's secret, whose row ends `session_absolute_s` after sign-in or at sign-out;
- an **API key** comes as `Authorization: Bearer tw_user_…` (`tawasul users key USERNAME`).

Every state-changing request made with the cookie carries the CSRF token (asgi-csrf: a form field, or the
`x-csrftoken` header htmx sends); a request with a bearer key needs none, as no browser adds that header on its
own. Failed keys are throttled per client address.
"""

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from asgi_csrf import asgi_csrf
from fastapi import HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from casework.credentials import Credentials
from casework.settings import CaseworkSettings
from casework.users import User
from contracts.vocabulary import ROLES, Role
from services.ratelimit import RateLimiter

SESSION_COOKIE = "tawasul_session"
CSRF_COOKIE = "tawasul_csrf"
CSRF_FIELD = "csrftoken"
"""The form field asgi-csrf reads (its own name for it)."""
CSRF_HEADER = "x-csrftoken"
SIGN_IN = "/sign-in"


class Identity:
    def __init__(self, credentials: Credentials, failures: RateLimiter) -> None:
        self.credentials = credentials
        self.failures = failures

    async def user(self, request: Request) -> User | None:
        """The user the request's key or session belongs to; None for neither (or one that is no longer good)."""
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            address = request.client.host if request.client else "unknown"
            if (wait := self.failures.wait(address)) > 0:
                raise HTTPException(429, "too many requests with a wrong key from this address",
                                    headers={"Retry-After": str(math.ceil(wait))})
            user = await self.credentials.key_user(key.strip())
            if user is None:
                self.failures.take(address)
            return user
        secret = request.session.get("sid") if "session" in request.scope else None
        if not isinstance(secret, str):
            return None
        user = await self.credentials.session_user(secret)
        if user is None:
            request.session.clear()  # ended: the cookie goes too
        return user

    async def sign_in(self, request: Request, user: User) -> None:
        request.session.clear()  # a new secret on each sign-in: a planted session is worth nothing
        request.session["sid"] = await self.credentials.open_session(user.username)

    async def sign_out(self, request: Request) -> None:
        secret = request.session.get("sid")
        if isinstance(secret, str):
            await self.credentials.close_session(secret)
        request.session.clear()


@dataclass(frozen=True, eq=False)
class Guard:
    """Who may call a route: users of `roles` (none: anyone, signed in or not). An anonymous caller gets 401 —
    or, for a page, a redirect to the sign-in page — and a signed-in one of another role 403. The route receives
    the user (None on a public route); what it does to which case is checked again in the handler."""

    identity: Identity
    roles: frozenset[Role]
    page: bool = False

    async def __call__(self, request: Request) -> User | None:
        user = await self.identity.user(request)
        request.scope["tawasul.user"] = user  # for an error page in the user's language
        if not self.roles:
            return user
        if user is None:
            if self.page:
                raise HTTPException(303, "sign in first", headers={"Location": f"{SIGN_IN}?next={_here(request)}"})
            raise HTTPException(401, "sign in, or send a user's API key as `Authorization: Bearer …`",
                                headers={"WWW-Authenticate": "Bearer"})
        if user.role not in self.roles:
            raise HTTPException(403, f"{user.role}s may not do this")
        return user


def _here(request: Request) -> str:
    from urllib.parse import quote

    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return quote(path, safe="")


class Guards:
    """Makes the guards of one application's routes."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def allow(self, *roles: Role, page: bool = False) -> Guard:
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"roles {sorted(unknown)} are not {ROLES}" if unknown else "name at least one role")
        return Guard(self.identity, frozenset(roles), page=page)

    def anyone(self) -> Guard:
        return Guard(self.identity, frozenset())


def guard_of(route: BaseRoute) -> Guard | None:
    """The guard a route declares, if it declares one."""
    if not isinstance(route, APIRoute):
        return None

    def find(dependant: Dependant) -> Guard | None:
        for dependency in dependant.dependencies:
            if isinstance(dependency.call, Guard):
                return dependency.call
            if (found := find(dependency)) is not None:
                return found
        return None

    return find(route.dependant)


def endpoints(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    """Every route under `routes` with its full path, through included routers and mounts."""
    for route in routes:
        original = getattr(route, "original_router", None)  # FastAPI includes a router lazily
        if original is not None:
            yield from endpoints(original.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", ""), route


def unguarded(routes: Sequence[BaseRoute]) -> list[str]:
    """Routes that declare no guard ('METHODS path'): each must say who may call it."""
    return [f"{','.join(sorted(getattr(route, 'methods', None) or ['*']))} {path}"
            for path, route in endpoints(routes) if guard_of(route) is None]


class Csrf:
    """asgi-csrf around the application: a state-changing request that sends cookies must carry the token, and
    the sign-in form always must (so nobody can be signed in as someone else behind their back)."""

    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        self.app = asgi_csrf(app, signing_secret=secret, cookie_name=CSRF_COOKIE, http_header=CSRF_HEADER,
                             always_protect={SIGN_IN}, cookie_secure=secure, send_csrf_failed=_refuse)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, message_id: object) -> None:
    body = b'{"detail": "the CSRF token is missing or wrong: reload the page and try again"}'
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def middleware(settings: CaseworkSettings, secret: str) -> list[Middleware]:
    """Sessions inside CSRF: the token is checked before anything reads the session."""
    return [
        Middleware(Csrf, secret=secret, secure=settings.secure_cookies),
        Middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                   max_age=settings.session_idle_s, same_site="lax", https_only=settings.secure_cookies),
    ]
