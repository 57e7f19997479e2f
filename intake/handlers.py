"""Load, decide, append: a submission's answer, its case, its attachments and its bookkeeping commit together."""

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal
from uuid import NAMESPACE_URL, uuid5

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from contracts import (
    Envelope,
    PortalSubmission,
    Reason,
    RequestSubmitted,
    SubmissionAccepted,
    SubmissionRejected,
    topics,
)
from contracts.vocabulary import PORTALS, is_line
from intake import domain
from intake.catalog import Catalog
from intake.projection import HISTORY, REQUESTS, submissions, tracking_serial
from intake.registry import linked
from intake.storage import AttachmentStore
from services.consumer import Incoming, Poison, Subscription, content_id, validation_reason
from services.eventstore import Cause, Unit
from services.projection import apply_all

ANSWERED = text(
    """
    SELECT k.id, s.fingerprint, s.status, s.tracking_number, s.reasons
    FROM unnest(CAST(:ids AS text[])) AS k (id)
    -- an index lookup per id, whatever the statistics of a young table suggest
    CROSS JOIN LATERAL (
        SELECT fingerprint, status, tracking_number, reasons FROM submissions WHERE submission_id = k.id LIMIT 1
    ) AS s
    """
)
"""The answers already given to the given submission ids."""


@dataclass(frozen=True)
class Answer:
    """What a submission got: `conflict` when its id was used before with a different body (`first` is then the
    answer that id got, which stands)."""

    submission_id: str
    status: Literal["accepted", "rejected", "conflict"]
    tracking_number: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    repeated: bool = False
    first: "Answer | None" = None


@dataclass(frozen=True)
class Intake:
    """What deciding on submissions needs besides the database: the catalog, where attachments go, the limits."""

    catalog: Catalog
    store: AttachmentStore
    limits: domain.Limits = domain.Limits()


def correlation_of(submission_id: str) -> Cause:
    """Everything that follows from a submission shares one correlation id, derived from its id."""
    return Cause(correlation_id=uuid5(NAMESPACE_URL, f"tawasul:submission:{submission_id}"))


async def submit(unit: Unit, intake: Intake, received: Sequence[tuple[PortalSubmission, datetime]]) -> list[Answer]:
    """Answer each submission once: accepted with a new case, or rejected with every reason.

    Set-based, so a batch of submissions costs a handful of statements, not a few per submission.
    A repeated submission_id gets the answer it got before; with a different body, a conflict.
    """
    ids = [submission.submission_id for submission, _ in received]
    before = {
        row.id: (row.fingerprint, Answer(row.id, row.status, row.tracking_number,
                                         [Reason.model_validate(r) for r in row.reasons or ()]))
        for row in (await unit.session.execute(ANSWERED, {"ids": ids})).all()
    }
    pairs = {(s.account_id, s.subject_id) for s, _ in received if s.account_id != s.subject_id}
    links = await linked(unit, sorted(pairs))
    fresh: dict[str, tuple[PortalSubmission, datetime, str, domain.Verdict, tuple[str | None, str | None]]] = {}
    for submission, received_at in received:
        if submission.submission_id in before or submission.submission_id in fresh:
            continue
        link = ("holder", None) if submission.account_id == submission.subject_id else \
            links.get((submission.account_id, submission.subject_id), (None, None))
        verdict = domain.check(submission, relation=link[0], catalog=intake.catalog, limits=intake.limits)
        fresh[submission.submission_id] = (submission, received_at, domain.fingerprint(submission), verdict, link)
    serials = iter(await _serials(unit, sum(1 for *_, verdict, _ in fresh.values() if not verdict.reasons)))
    rows, files, cases = [], [], []
    for submission, received_at, fingerprint, verdict, link in fresh.values():
        answer, case = await _decide(unit, intake, submission, received_at, verdict, link, serials)
        before[submission.submission_id] = (fingerprint, answer)
        rows.append(dict(submission_id=answer.submission_id, fingerprint=fingerprint, status=answer.status,
                         tracking_number=answer.tracking_number,
                         reasons=[r.model_dump() for r in answer.reasons] or None))
        if case is not None:
            files += verdict.files
            cases.append(case)
    if rows:
        await unit.session.execute(insert(submissions), rows)
    if cases:
        await intake.store.put(unit.session, files)
        await apply_all(unit.session, (REQUESTS, HISTORY), cases)  # the status is readable at once
    answers = []
    for submission, _ in received:
        fingerprint, answer = before[submission.submission_id]
        entry = fresh.pop(submission.submission_id, None)  # the first of its id in this batch decided it
        if entry is None and fingerprint != domain.fingerprint(submission):
            answer = Answer(submission.submission_id, "conflict", first=answer)
        elif entry is None:
            answer = replace(answer, repeated=True)
        answers.append(answer)
    return answers


async def _decide(
    unit: Unit, intake: Intake, submission: PortalSubmission, received_at: datetime, verdict: domain.Verdict,
    link: tuple[str | None, str | None], serials: Iterator[int],
) -> tuple[Answer, tuple[Envelope, RequestSubmitted] | None]:
    """Emit the answer (and the new case); the caller stores the case's files and history for the whole batch."""
    cause = correlation_of(submission.submission_id)
    if verdict.reasons:
        await unit.emit(
            [SubmissionRejected(submission_id=submission.submission_id, portal=submission.portal,
                                reasons=verdict.reasons)],
            key=submission.submission_id, case_id=None, cause=cause, expected_version=0,
        )
        return Answer(submission.submission_id, "rejected", reasons=verdict.reasons), None
    case_id = domain.tracking_number(next(serials), received_at.year)
    submitted = RequestSubmitted(
        submission_id=submission.submission_id,
        submitted_at=received_at,
        attachments=[file.ref for file in verdict.files],
        catalog_version=intake.catalog.version,
        subject_relation=link[0],
        subject_nationality=link[1],
        **submission.model_dump(include={"portal", "account_id", "subject_id", "section", "sub_service",
                                         "description", "language", "contact", "channels", "region"}),
    )
    [envelope] = await unit.emit([submitted], key=case_id, case_id=case_id, cause=cause, expected_version=0)
    await unit.emit(
        [SubmissionAccepted(submission_id=submission.submission_id, portal=submission.portal,
                            tracking_number=case_id)],
        key=submission.submission_id, case_id=case_id, cause=cause, expected_version=0,
    )
    return Answer(submission.submission_id, "accepted", tracking_number=case_id), (envelope, submitted)


async def _serials(unit: Unit, count: int) -> list[int]:
    if count == 0:
        return []
    serial = tracking_serial.next_value().label("serial")
    return list((await unit.session.execute(select(serial).select_from(func.generate_series(1, count)))).scalars())


class Submissions(Subscription):
    """Portals' submissions from Kafka; unreadable ones are dead-lettered and, where possible, answered."""

    topic = topics.SUBMISSIONS

    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def decode(self, record: ConsumerRecord) -> Incoming:
        try:
            submission = PortalSubmission.model_validate_json(record.value or b"")
        except ValidationError as error:
            raise Poison(validation_reason(error)) from error
        return Incoming(
            record=record,
            message_id=content_id(record.value),
            body=submission,
            cause=correlation_of(submission.submission_id),
        )

    async def handle_batch(self, unit: Unit, items: Sequence[Incoming]) -> None:
        received = [(item.body, datetime.fromtimestamp(item.record.timestamp / 1000, UTC)) for item in items]
        for answer in await submit(unit, self.intake, received):
            if answer.status == "conflict":
                raise Poison(conflict_reason(answer))

    async def reject(self, unit: Unit, record: ConsumerRecord, reason: str) -> None:
        body = _readable_object(record.value)
        submission_id = body.get("submission_id")
        if not isinstance(submission_id, str) or not 0 < len(submission_id) <= 128 or not is_line(submission_id):
            return  # nothing to answer to: the dead letter is all there is
        answered = await unit.session.scalar(
            select(submissions.c.status).where(submissions.c.submission_id == submission_id)
        )
        if answered is not None:
            return  # that id has its answer; this unreadable copy only goes to the dead letters
        try:
            PortalSubmission.model_validate(body)
            reasons = [domain.malformed(reason)]
        except ValidationError as error:
            reasons = domain.schema_reasons(error) if body else [domain.malformed(reason)]
        portal = body.get("portal") if body.get("portal") in PORTALS else None
        await unit.emit(
            [SubmissionRejected(submission_id=submission_id, portal=portal, reasons=reasons)],
            key=submission_id, case_id=None, cause=correlation_of(submission_id), expected_version=0,
        )
        # The first answer stands: the id is taken, and a later body under it is a conflict that says so.
        await unit.session.execute(insert(submissions).on_conflict_do_nothing(), [dict(
            submission_id=submission_id, fingerprint=unreadable_fingerprint(record.value), status="rejected",
            tracking_number=None, reasons=[r.model_dump() for r in reasons],
        )])


def conflict_reason(answer: Answer) -> str:
    """Why a submission is refused whose id was answered before, with that first answer."""
    first = answer.first
    said = "" if first is None else (
        f" (it was accepted as {first.tracking_number})" if first.status == "accepted"
        else f" (it was rejected: {', '.join(r.code for r in first.reasons)})")
    return (f"submission_id {answer.submission_id!r} was used before with a different body{said}; "
            "the first answer stands")


def unreadable_fingerprint(value: bytes | None) -> str:
    """The fingerprint of a message that was not even a submission: its bytes', never a submission's."""
    return "unreadable:" + hashlib.sha256(value or b"").hexdigest()


def _readable_object(value: bytes | None) -> dict:
    """The JSON object in a message that failed validation, or {} when it is not even that."""
    try:
        body = json.loads(value or b"")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
