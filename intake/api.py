"""Portals' HTTP API: submit a request (JSON or multipart), look up its status, fetch an attachment; the catalog.

Submissions go through exactly the rules and the same `submit` as those read from Kafka.
"""

import base64
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts import PortalSubmission, Reason
from contracts.vocabulary import CASE_ID_PATTERN, IDENTITY_PATTERN
from intake import domain, information
from intake.catalog import Catalog
from intake.handlers import Answer, Intake, conflict_reason, submit
from intake.history import status_of
from intake.keys import Keys, Principal
from intake.projection import requests
from intake.settings import IntakeSettings
from intake.status import RequestStatus
from services.app import Runtime
from services.batching import Batcher
from services.eventstore import unit_of_work
from services.http import problems
from services.ratelimit import RateLimiter

API_KEY = APIKeyHeader(name="X-Api-Key", auto_error=False, description="A portal's (or an officer's) API key")
TRACKING = Path(pattern=CASE_ID_PATTERN, description="the tracking number, e.g. TW2600000018")
ACCOUNT = Query(pattern=IDENTITY_PATTERN, description="the account holder's ID; only the owner's account may read")


class Accepted(BaseModel):
    submission_id: str
    status: str = "accepted"
    tracking_number: str


class Rejected(BaseModel):
    submission_id: str | None
    status: str = "rejected"
    reasons: list[Reason]


SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PortalSubmission"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["submission"],
                    "properties": {
                        "submission": {"type": "string", "description": "the submission as JSON, without "
                                       "`attachments`; each file is a further part named by its attachment kind"},
                    },
                    "additionalProperties": {"type": "string", "format": "binary"},
                }
            },
        },
    }
}


Body = TypeVar("Body", bound=BaseModel)

INFORMATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InformationReply"}}},
    }
}
"""Read by hand, as submissions are, so a body that does not fit is answered with reasons like theirs."""


def routes(runtime: Runtime, intake: Intake, settings: IntakeSettings) -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    keys = Keys(runtime.sessions)
    limiter = RateLimiter(rate=settings.portal_rate_per_s, burst=settings.portal_burst)
    failures = RateLimiter(rate=settings.auth_failure_rate_per_s, burst=settings.auth_failure_burst)

    async def submit_together(received: Sequence[tuple[PortalSubmission, datetime]]) -> list[Answer]:
        async with unit_of_work(runtime.sessions, runtime.store) as unit:
            return await submit(unit, intake, received)

    submissions = Batcher(submit_together, max_size=100)

    async def caller(request: Request, key: Annotated[str | None, Depends(API_KEY)]) -> Principal:
        principal = await keys.authenticate(key)
        if principal is None:
            # Guessing keys costs the guesser: failures are counted per client address.
            address = request.client.host if request.client else "unknown"
            if wait := failures.take(address):
                raise HTTPException(429, "too many requests without a valid key; retry later",
                                    headers={"Retry-After": str(max(1, round(wait)))})
            raise HTTPException(401, "a valid X-Api-Key header is required", headers={"WWW-Authenticate": "ApiKey"})
        wait = limiter.take(f"{principal.role}:{principal.name}")
        if wait:
            raise HTTPException(429, f"rate limit of {settings.portal_rate_per_s:g}/s exceeded; retry later",
                                headers={"Retry-After": str(max(1, round(wait)))})
        return principal

    @router.get("/catalog", tags=["catalog"])
    async def catalog() -> Catalog:
        """The sections and sub-services requests are filed under, with their attachment kinds and subjects."""
        return intake.catalog

    @router.post(
        "/requests", tags=["requests"], status_code=201, openapi_extra=SUBMISSION_BODY,
        responses={201: {"model": Accepted}, 422: {"model": Rejected}, **problems(401, 403, 409, 413, 429)},
    )
    async def post_request(request: Request, principal: Annotated[Principal, Depends(caller)]) -> Any:
        """Submit a request; the same `submission_id` again gets the same answer (with another body, 409)."""
        if principal.role != "portal":
            raise HTTPException(403, "only a portal's key may submit requests")
        try:
            submission = await _read_submission(request)
        except ValueError as error:
            return _unreadable(error)
        if submission.portal != principal.name:
            raise HTTPException(403, f"this key belongs to portal {principal.name!r}, not {submission.portal!r}")
        answer = await submissions.apply((submission, datetime.now(UTC)))
        if answer.status == "conflict":
            raise HTTPException(409, conflict_reason(answer))
        headers = {"Idempotent-Replayed": "true"} if answer.repeated else {}
        if answer.status == "rejected":
            return _rejected(answer.submission_id, answer.reasons, headers)
        body = Accepted(submission_id=answer.submission_id, tracking_number=answer.tracking_number or "")
        return JSONResponse(body.model_dump(), status_code=201, headers=headers)

    async def owned(tracking_number: str, account_id: str | None, principal: Principal):
        _check_digit(tracking_number)
        async with runtime.sessions() as session:
            row = (await session.execute(select(requests).where(requests.c.tracking_number == tracking_number)))\
                .one_or_none()
        if row is None or (principal.role == "portal" and not reaches(principal, row, account_id)):
            raise HTTPException(404, f"no request {tracking_number} for this account")
        return row

    @router.get("/requests/{tracking_number}", tags=["requests"],
                responses={422: {"model": Rejected}, **problems(400, 401, 404, 413, 429)})
    async def get_request(
        principal: Annotated[Principal, Depends(caller)],
        tracking_number: str = TRACKING,
        account_id: str = ACCOUNT,
    ) -> RequestStatus:
        """The request's status, SLA due time and public history, for the account that owns it."""
        row = await owned(tracking_number, account_id, principal)
        async with runtime.sessions() as session:
            return await status_of(session, row)

    @router.post("/requests/{tracking_number}/information", tags=["requests"], openapi_extra=INFORMATION_BODY,
                 responses={422: {"model": Rejected}, **problems(400, 401, 403, 404, 409, 413, 429)})
    async def provide_information(
        request: Request, principal: Annotated[Principal, Depends(caller)], tracking_number: str = TRACKING,
    ) -> Any:
        """The beneficiary's answer to an officer's question; the SLA clock runs again from now."""
        if principal.role != "portal":
            raise HTTPException(403, "only a portal's key may answer for a beneficiary")
        _check_digit(tracking_number)
        try:
            body = _parsed(await request.body(), information.InformationReply)
        except ValueError as error:
            return _unreadable(error)
        try:
            async with unit_of_work(runtime.sessions, runtime.store) as unit:
                outcome = await information.provide(unit, intake, tracking_number, body, portal=principal.name)
        except LookupError:
            raise HTTPException(404, f"no request {tracking_number} for this account") from None
        except information.NotAwaited:
            raise HTTPException(409, f"request {tracking_number} is not waiting for information") from None
        if isinstance(outcome, list):
            return _rejected(None, outcome)
        return await get_request(principal, tracking_number, body.account_id)

    @router.get(
        "/requests/{tracking_number}/attachments/{sha256}", tags=["requests"],
        responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}},
                   422: {"model": Rejected}, **problems(400, 401, 404, 413, 429)},
    )
    async def get_attachment(
        principal: Annotated[Principal, Depends(caller)],
        tracking_number: str = TRACKING,
        sha256: str = Path(pattern=r"^[0-9a-f]{64}$"),
        account_id: str | None = Query(default=None, pattern=IDENTITY_PATTERN,
                                       description="required for a portal's key; an officer's key reads any"),
    ) -> Response:
        """One attachment of a request: to the owning account through its portal, or to an officer."""
        row = await owned(tracking_number, account_id, principal)
        ref = next((ref for ref in row.attachments if ref["sha256"] == sha256), None)
        if ref is None:
            raise HTTPException(404, f"request {tracking_number} has no attachment {sha256}")
        async with runtime.sessions() as session:
            stored = await intake.store.get(session, sha256)
        if stored is None:
            raise HTTPException(404, f"attachment {sha256} is not in the store")
        content_type, content = stored
        return Response(content, media_type=content_type, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ref['name'], safe='')}",
            "X-Content-Type-Options": "nosniff",
        })

    return router


async def _read_submission(request: Request) -> PortalSubmission:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        try:
            form = await request.form()
        except StarletteHTTPException as error:
            if error.status_code != 400:  # a body over the limit stays a 413
                raise
            raise ValueError(f"the multipart form cannot be read: {error.detail}") from None
        body = form.get("submission")
        if not isinstance(body, str):
            raise ValueError("the multipart form needs a `submission` field holding the submission's JSON")
        fields = json.loads(body)
        if not isinstance(fields, dict):
            raise ValueError("the `submission` field must hold a JSON object")
        fields["attachments"] = [
            {"kind": kind, "name": upload.filename or kind, "content_type": upload.content_type or "",
             "data_base64": base64.b64encode(await upload.read()).decode()}
            for kind, upload in form.multi_items() if kind != "submission" and not isinstance(upload, str)
        ]
        return PortalSubmission.model_validate(fields)
    return _parsed(await request.body(), PortalSubmission)


def _parsed(raw: bytes, model: type[Body]) -> Body:
    """`raw` as `model`; ValueError when it is not JSON at all, pydantic's ValidationError when it does not fit."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            raise ValueError("the body is not JSON") from error
        raise


def reaches(principal: Principal, request: Any, account_id: str | None) -> bool:
    """Whether a portal's key may read or answer `request`: it came through that portal, for that account."""
    return request.portal == principal.name and request.account_id == account_id


SOURCES = {"path", "query", "header", "cookie", "body"}


async def rejected_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """Any intake request that does not fit its operation is answered as a submission that breaks the rules is:
    422 with a reason per field."""
    problems = [{**problem, "loc": tuple(problem["loc"][1:]) if problem["loc"] and problem["loc"][0] in SOURCES
                 else tuple(problem["loc"])} for problem in error.errors()]
    return _rejected(None, domain.reasons_for(problems))


def _unreadable(error: ValueError) -> JSONResponse:
    """The answer to a body that does not fit its model (pydantic's ValidationError, field by field) or could not be
    read at all."""
    if isinstance(error, ValidationError):
        return _rejected(None, domain.schema_reasons(error))
    return _rejected(None, [domain.malformed(str(error))])


def _rejected(submission_id: str | None, reasons: list[Reason], headers: dict[str, str] | None = None) -> JSONResponse:
    body = Rejected(submission_id=submission_id, reasons=reasons)
    return JSONResponse(body.model_dump(), status_code=422, headers=headers)


def _check_digit(tracking_number: str) -> None:
    """A mistyped number is caught here, before any lookup, and said to be one."""
    if not domain.is_valid_tracking_number(tracking_number):
        raise HTTPException(400, f"{tracking_number} is not a tracking number: its check digit does not match")
