"""Load, decide, append: a submission's answer, its case and its bookkeeping commit together."""

import json
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, uuid5

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts import PortalSubmission, RequestSubmitted, SubmissionAccepted, SubmissionRejected, topics
from intake import domain
from intake.projection import submissions, tracking_serial
from services.consumer import Incoming, Poison, Subscription, Unit, content_id, validation_reason
from services.eventstore import Cause


def correlation_of(submission_id: str) -> Cause:
    """Everything that follows from a submission shares one correlation id, derived from its id."""
    return Cause(correlation_id=uuid5(NAMESPACE_URL, f"tawasul:submission:{submission_id}"))


async def submit(unit: Unit, submission: PortalSubmission, *, received_at: datetime) -> None:
    """Answer a submission once: accepted with a new case, or rejected with every reason."""
    fingerprint = domain.fingerprint(submission)
    seen = await unit.session.scalar(
        select(submissions.c.fingerprint).where(submissions.c.submission_id == submission.submission_id)
    )
    if seen is not None:
        if seen != fingerprint:
            raise Poison(f"submission_id {submission.submission_id!r} was used before with a different body")
        return  # answered already
    cause = correlation_of(submission.submission_id)
    reasons = domain.check(submission)
    if reasons:
        await _record(unit, submission.submission_id, fingerprint, "rejected", None)
        await unit.emit(
            [SubmissionRejected(submission_id=submission.submission_id, portal=submission.portal, reasons=reasons)],
            key=submission.submission_id, case_id=None, cause=cause, expected_version=0,
        )
        return
    serial = await unit.session.scalar(tracking_serial.next_value())
    case_id = domain.tracking_number(serial, received_at.year)
    await _record(unit, submission.submission_id, fingerprint, "accepted", case_id)
    submitted = RequestSubmitted(
        submission_id=submission.submission_id,
        submitted_at=received_at,
        **submission.model_dump(include={"portal", "account_id", "subject_id", "section", "sub_service",
                                         "description", "language", "contact", "channels"}),
    )
    await unit.emit([submitted], key=case_id, case_id=case_id, cause=cause, expected_version=0)
    await unit.emit(
        [SubmissionAccepted(submission_id=submission.submission_id, portal=submission.portal, tracking_number=case_id)],
        key=submission.submission_id, case_id=case_id, cause=cause, expected_version=0,
    )


async def _record(unit: Unit, submission_id: str, fingerprint: str, status: str, tracking_number: str | None) -> None:
    await unit.session.execute(
        insert(submissions).values(
            submission_id=submission_id, fingerprint=fingerprint, status=status, tracking_number=tracking_number
        )
    )


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

    async def handle(self, unit: Unit, incoming: Incoming) -> None:
        received_at = datetime.fromtimestamp(incoming.record.timestamp / 1000, UTC)
        await submit(unit, incoming.body, received_at=received_at)

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
