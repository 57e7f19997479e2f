"""What every service's HTTP side shares: security headers on every answer, a body limit that holds while the
body streams, a trace span per request, and the problem body every error answer carries."""

import json

from pydantic import BaseModel, BeforeValidator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from services.telemetry import server_span


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str


MEANINGS = {
    400: "malformed: a body that is not UTF-8, a tracking number whose check digit does not match, …",
    401: "no valid credential (intake: an `X-Api-Key`; casework: a session or `Authorization: Bearer`)",
    403: "the credential may not do this (to this case)",
    404: "no such thing for this caller (the same answer a stranger gets)",
    409: "the state does not allow it, or the id was answered before with another body",
    413: "the body is larger than the service reads",
    429: "too many requests: retry after `Retry-After` seconds",
}


def problems(*statuses: int) -> dict[int | str, dict]:
    """The `responses` entries of an operation that may answer `statuses` with a `Problem`."""
    return {status: {"model": Problem, "description": MEANINGS[status]} for status in statuses}


def _digits(value: object) -> object:
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be written in the digits 0-9 alone")
    return value


DIGITS = BeforeValidator(_digits)
"""For a whole number in a query or a path, beside its `Query`/`Path` in `Annotated[int, …]`: digits only, not
`+5`, ` 5` or `5.0`, which pydantic would take."""


API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'unsafe-inline' "
    "https://cdn.jsdelivr.net; img-src data: https://fastapi.tiangolo.com; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""The interactive OpenAPI page loads its script and style from a CDN, so it gets just what it needs."""
DOCS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


class SecurityHeaders:
    """Every HTTP answer is kept out of caches, frames and referrers, and its type is never sniffed.

    Plain ASGI, like `TraceRequests`; a header the route set itself is left as it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in DOCS else API_POLICY
        extra = [(b"cache-control", b"no-store"), (b"content-security-policy", policy.encode()),
                 (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                 (b"referrer-policy", b"no-referrer")]

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(StarletteHTTPException):
    """Raised while the body is read, so whichever part reads it answers 413."""


class BodyLimit:
    """Refuses a body larger than `max_bytes` with 413, whether its `Content-Length` says so or its chunks add up
    to it: no more than the limit is ever read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen, started = 0, False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(413, self._detail)
            return message

        async def watched(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    @property
    def _detail(self) -> str:
        return f"the body is larger than the {self.max_bytes} bytes this service reads"

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": self._detail})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body.encode()})


class TraceRequests:
    """A SERVER span around each HTTP request (not health checks), so the events it emits continue its trace.

    Plain ASGI rather than `@app.middleware("http")`, whose per-request task and stream wrapping cost the portal
    API a noticeable share of its time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        with server_span(f"{scope['method']} {scope['path']}", headers):
            await self.app(scope, receive, send)
