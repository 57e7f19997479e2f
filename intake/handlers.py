"""Load, decide, append: a submission's answer, its case and its bookkeeping commit together."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, uuid5

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from contracts import (
    PortalSubmission,
    Reason,
    RequestSubmitted,
    SubmissionAccepted,
    SubmissionRejected,
    topics,
)
from intake import domain
from intake.projection import submissions, tracking_serial
from services.consumer import (
    Incoming,
    Poison,
    Subscription,
    Unit,
    content_id,
    validation_reason,
)
from services.eventstore import Cause

ANSWERED = text(
    """
    SELECT k.id, s.fingerprint
    FROM unnest(CAST(:ids AS text[])) AS k (id)
    -- an index lookup per id, whatever the statistics of a young table suggest
    CROSS JOIN LATERAL (SELECT fingerprint FROM submissions WHERE submission_id = k.id LIMIT 1) AS s
    """
)
"""The fingerprints of the given submission ids that were answered before."""


def correlation_of(submission_id: str) -> Cause:
    """Everything that follows from a submission shares one correlation id, derived from its id."""
    return Cause(correlation_id=uuid5(NAMESPACE_URL, f"tawasul:submission:{submission_id}"))


async def submit(unit: Unit, received: Sequence[tuple[PortalSubmission, datetime]]) -> None:
    """Answer each submission once: accepted with a new case, or rejected with every reason.

    Set-based, so a batch of submissions costs a handful of statements, not a few per submission.
    """
    ids = [submission.submission_id for submission, _ in received]
    seen = dict((await unit.session.execute(ANSWERED, {"ids": ids})).tuples().all())
    fresh: list[tuple[PortalSubmission, datetime, str, list[Reason]]] = []
    for submission, received_at in received:
        fingerprint = domain.fingerprint(submission)
        earlier = seen.get(submission.submission_id)
        if earlier is None:
            seen[submission.submission_id] = fingerprint
            fresh.append((submission, received_at, fingerprint, domain.check(submission)))
        elif earlier != fingerprint:
            raise Poison(f"submission_id {submission.submission_id!r} was used before with a different body")
        # otherwise answered already, before or earlier in this batch: the same answer stands
    serials = iter(await _serials(unit, sum(1 for *_, reasons in fresh if not reasons)))
    rows = []
    for submission, received_at, fingerprint, reasons in fresh:
        cause = correlation_of(submission.submission_id)
        if reasons:
            rows.append(dict(submission_id=submission.submission_id, fingerprint=fingerprint,
                             status="rejected", tracking_number=None))
            await unit.emit(
                [SubmissionRejected(submission_id=submission.submission_id, portal=submission.portal, reasons=reasons)],
                key=submission.submission_id, case_id=None, cause=cause, expected_version=0,
            )
            continue
        case_id = domain.tracking_number(next(serials), received_at.year)
        rows.append(dict(submission_id=submission.submission_id, fingerprint=fingerprint,
                         status="accepted", tracking_number=case_id))
        submitted = RequestSubmitted(
            submission_id=submission.submission_id,
            submitted_at=received_at,
            **submission.model_dump(include={"portal", "account_id", "subject_id", "section", "sub_service",
                                             "description", "language", "contact", "channels"}),
        )
        await unit.emit([submitted], key=case_id, case_id=case_id, cause=cause, expected_version=0)
        await unit.emit(
            [SubmissionAccepted(submission_id=submission.submission_id, portal=submission.portal,
                                tracking_number=case_id)],
            key=submission.submission_id, case_id=case_id, cause=cause, expected_version=0,
        )
    if rows:
        await unit.session.execute(insert(submissions), rows)


async def _serials(unit: Unit, count: int) -> list[int]:
    if count == 0:
        return []
    serial = tracking_serial.next_value().label("serial")
    return list((await unit.session.execute(select(serial).select_from(func.generate_series(1, count)))).scalars())


class Submissions(Subscription):
    """Portals' submissions from Kafka; unreadable ones are dead-lettered and, where possible, answered."""

    topic = topics.SUBMISSIONS

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
        await submit(unit, [(item.body, datetime.fromtimestamp(item.record.timestamp / 1000, UTC)) for item in items])

    async def reject(self, unit: Unit, record: ConsumerRecord, reason: str) -> None:
        body = _readable_object(record.value)
        submission_id = body.get("submission_id")
        if not isinstance(submission_id, str) or not 0 < len(submission_id) <= 128:
            return  # nothing to answer to: the dead letter is all there is
        answered = await unit.session.scalar(
            select(submissions.c.status).where(submissions.c.submission_id == submission_id)
        )
        if answered is not None:
            return  # that id has its answer; this unreadable copy only goes to the dead letters
        portal = body.get("portal") if body.get("portal") in ("absher", "muqeem") else None
        await unit.emit(
            [SubmissionRejected(submission_id=submission_id, portal=portal, reasons=[domain.malformed(reason)])],
            key=submission_id, case_id=None, cause=correlation_of(submission_id), expected_version=0,
        )


def _readable_object(value: bytes | None) -> dict:
    """The JSON object in a message that failed validation, or {} when it is not even that."""
    try:
        body = json.loads(value or b"")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
