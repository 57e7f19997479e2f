"""The auditor's page of one case (`/cases/{id}/history`): its whole history across the four services — every event,
notify's notifications too, with when, who produced it, who acted, public or internal, what caused it and the
versions it was decided under — what every service's read models said of it at a moment the auditor picks
(`?as_of=`, Asia/Riyadh), and the history as CSV and JSON (`…/history.csv`, `…/history.json`, as of that moment
when one is given). Read-only: nothing on it acts.

Told from casework's own copy of the case log (`casework.case_log`), never from another service's database, by the
same code as `tawasul audit history` (`casework.history`). As-of folds the case's events up to the moment through
every service's projections, which the composition root hands casework (`projections`); the events are as
casework keeps them, contact details redacted, which none of what as-of shows comes from.

Auditors read every case's; a supervisor reads those of their own department (what the case page shows them, and
notify's notifications, the versions and what caused what besides). Officers and admins get 403.
"""

import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from casework.access import check_read
from casework.api import CASE
from casework.case_log import case_log, envelope_of
from casework.history import Entry, as_csv, as_document, as_of, entries_of, moment, up_to
from casework.identity import Guards
from casework.language import translations
from casework.projection import queue
from casework.reference import Reference
from casework.templating import page
from casework.users import User
from contracts.vocabulary import RIYADH, Language
from services.app import Runtime
from services.projection import Projection

DEPARTMENTS = ("department", "to_department", "from_department", "transferred_from")
TRANSLATED = ("outcome", "rejection_reason", "status", "language", "subject_relation", "channel", "channels",
              "fields", "notified_event_type")
"""Details whose values are codes the catalog translates (statuses, outcomes, event types, channels…)."""
WORDS = ("email", "sms", "holder", "dependent", "sponsored", "visitor", "yes", "no", "intake", "routing",
         "casework", "notify")
"""Codes this page translates besides those the case page does (a test holds them to the catalog)."""


def input_value(instant: datetime | None) -> str:
    """`instant` as a datetime-local input shows it: Riyadh's wall clock, to the millisecond, rounded up (so the
    moment shown is never before the one asked for)."""
    if instant is None:
        return ""
    local = instant.astimezone(RIYADH)
    ceiled = local + timedelta(microseconds=(1000 - local.microsecond % 1000) % 1000)
    return ceiled.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ceiled.microsecond // 1000:03d}"


def shown(key: str, value: Any, *, language: Language, reference: Reference, section: str | None = None) -> str:
    """A detail of an entry, or a read model's value, as the page says it in `language`."""
    gettext = translations(language).gettext
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(shown(key, item, language=language, reference=reference, section=section)
                         for item in value)
    if key in DEPARTMENTS:
        return reference.department_name(str(value), language)
    if key == "section":
        return reference.section_name(str(value), language)
    if key == "sub_service":
        return reference.sub_service_name(section, str(value), language)
    if key.endswith("_at"):  # a moment: due_at, answer_due_at, resolved_at…
        instant = value if isinstance(value, datetime) else _instant(str(value))
        return instant.astimezone(RIYADH).strftime("%Y-%m-%d %H:%M") if instant else str(value)
    if key == "share" and isinstance(value, int | float):
        return f"{math.floor(value * 100)}%"
    if key in TRANSLATED:
        return gettext(str(value))
    return str(value)


def _instant(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def routes(runtime: Runtime, guards: Guards, reference: Reference,
           projections: Callable[[], Mapping[str, Sequence[Projection]]]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    readers = Depends(guards.allow("supervisor", "auditor", page=True))
    AsOf = Annotated[str | None, Query(max_length=64)]

    async def history(user: User, case_id: str) -> list[Entry]:
        """The case's entries, once `user` may read the case (a case nobody submitted: auditors alone)."""
        async with runtime.sessions() as session:
            case = (await session.execute(select(queue.c.department).where(
                queue.c.case_id == case_id, queue.c.submitted_at.is_not(None)))).one_or_none()
            if case is None and user.role != "auditor":
                raise HTTPException(404, f"no case {case_id}")
            check_read(user, case.department if case is not None else None)
            rows = (await session.execute(select(case_log).where(case_log.c.case_id == case_id))).all()
        if not rows:
            raise HTTPException(404, f"no case {case_id}")
        return entries_of(envelope_of(row) for row in rows)

    def instant_of(value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            return moment(value)
        except ValueError:
            raise HTTPException(422, "as_of: not a time (ISO 8601, e.g. 2026-12-03T10:15:00, Asia/Riyadh unless "
                                     "it says otherwise)") from None

    def said_at(entries: list[Entry], instant: datetime | None, case_id: str) -> dict | None:
        return as_of(entries, instant, case_id, projections()) if instant is not None else None

    def download_name(case_id: str, instant: datetime | None, extension: str) -> dict[str, str]:
        at = f"-as-of-{instant.astimezone(RIYADH):%Y%m%dT%H%M%S}" if instant else ""
        return {"content-disposition": f'attachment; filename="history-{case_id}{at}.{extension}"'}

    @router.get("/cases/{case_id}/history")
    async def history_page(request: Request, as_of: AsOf = None, case_id: str = CASE,
                           user: User = readers) -> HTMLResponse:
        """The case's whole history, and (`as_of`) what each service's read models said of it then; with
        `HX-Request`, only the as-of part (the page swaps it in place)."""
        entries = await history(user, case_id)
        instant = instant_of(as_of)
        swapped = request.headers.get("hx-request") == "true" \
            and request.headers.get("hx-history-restore-request") != "true"
        detail = partial(shown, language=user.language, reference=reference)
        return page(request, "history_as_of.html" if swapped else "history.html", lang=user.language, user=user,
                    reference=reference, case_id=case_id, entries=entries, at=instant,
                    at_input=input_value(instant), said=said_at(entries, instant, case_id), shown=detail, oob=swapped,
                    query=f"?{urlencode({'as_of': instant.isoformat()})}" if instant else "")

    @router.get("/cases/{case_id}/history.csv")
    async def history_csv(as_of: AsOf = None, case_id: str = CASE, user: User = readers) -> Response:
        """The timeline (up to `as_of`) as CSV, every cell inert in a spreadsheet."""
        entries, instant = await history(user, case_id), instant_of(as_of)
        return Response(as_csv(up_to(entries, instant)), media_type="text/csv; charset=utf-8",
                        headers=download_name(case_id, instant, "csv"))

    @router.get("/cases/{case_id}/history.json")
    async def history_json(as_of: AsOf = None, case_id: str = CASE, user: User = readers) -> Response:
        """The timeline (up to `as_of`) as JSON, with what each service's read models said then."""
        entries, instant = await history(user, case_id), instant_of(as_of)
        document = as_document(case_id, entries, instant, said_at(entries, instant, case_id))
        return Response(json.dumps(document, indent=2, ensure_ascii=False, default=str),
                        media_type="application/json", headers=download_name(case_id, instant, "json"))

    return router
