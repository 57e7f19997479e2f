"""Intake's decisions, free of I/O: may a submission be accepted, what is kept of it, and its tracking number.

`check` applies every rule of the seeds at once and returns every reason a submission fails, or the
attachments to store when it passes. What it needs from outside (the catalog, the subject's link to
the account, the size limits) is handed in.
"""

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from stdnum import damm

from contracts import Attachment, AttachmentRef, PortalSubmission, Reason
from contracts.vocabulary import CONTROL_CHARACTERS, Subject
from intake import attachments, identity
from intake.catalog import Catalog
from intake.inquiry import is_general_inquiry
from intake.reasons import reason

TRACKING_PREFIX = "TW"
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 4000
MB = 1024 * 1024

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
_MOBILE = re.compile(r"^(?:\+9665\d{8}|009665\d{8}|9665\d{8}|05\d{8}|\+[1-9]\d{7,14})$")


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 5 * MB
    request_bytes: int = 20 * MB
    files: int = 20
    """Attachments a request (or an answer) may carry."""


@dataclass(frozen=True)
class File:
    """An accepted attachment: its reference for events and the bytes to store under it."""

    ref: AttachmentRef
    content: bytes


@dataclass(frozen=True)
class Verdict:
    reasons: list[Reason]
    files: list[File]


def tracking_number(serial: int, year: int) -> str:
    """`TW` + two-digit year + seven-digit serial + a Damm check digit: TW26 0001234 8."""
    digits = f"{year % 100:02d}{serial:07d}"
    return f"{TRACKING_PREFIX}{digits}{damm.calc_check_digit(digits)}"


def is_valid_tracking_number(value: str) -> bool:
    digits = value.removeprefix(TRACKING_PREFIX)
    return value.startswith(TRACKING_PREFIX) and len(digits) == 10 and digits.isdigit() and damm.is_valid(digits)


def fingerprint(submission: PortalSubmission) -> str:
    """The same submission, however its JSON was spelled, has the same fingerprint."""
    canonical = json.dumps(submission.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check(
    submission: PortalSubmission, *, relation: Subject | None, catalog: Catalog, limits: Limits = Limits()
) -> Verdict:
    """Every reason the submission cannot be accepted (none when it can), and its attachments when it can.

    `relation` is how the subject is linked to the account: `holder` when they are the same person,
    else the registry's link, None when there is none.
    """
    reasons = [*_service(submission, catalog), *_description(submission), *_subject(submission, relation, catalog),
               *_contact(submission)]
    files, attachment_reasons = _attachments(submission, limits, catalog)
    reasons += attachment_reasons
    return Verdict(reasons=reasons, files=[] if reasons else files)


def _service(submission: PortalSubmission, catalog: Catalog) -> list[Reason]:
    if catalog.section(submission.section) is None:
        return [reason("unknown_service", "section", submission.section)]
    if catalog.sub_service(submission.section, submission.sub_service) is None:
        return [reason("unknown_service", "sub_service", f"{submission.section}/{submission.sub_service}")]
    return []


def _description(submission: PortalSubmission) -> list[Reason]:
    text = submission.description.strip()
    reasons = []
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        reasons.append(reason("description_length", "description", len(text), low=DESCRIPTION_MIN,
                              high=DESCRIPTION_MAX))
    if is_general_inquiry(text):
        reasons.append(reason("general_inquiry_not_accepted", "description"))
    if submission.subject_id not in identity.numbers_in(text):
        reasons.append(reason("missing_id_in_description", "description"))
    return reasons


def _subject(submission: PortalSubmission, relation: Subject | None, catalog: Catalog) -> list[Reason]:
    reasons = [
        reason("invalid_identity_number", field, field)
        for field, number in (("account_id", submission.account_id), ("subject_id", submission.subject_id))
        if identity.kind_of(number) is None
    ]
    if relation is None:
        reasons.append(reason("subject_not_linked_to_account", "subject_id"))
        return reasons
    sub_service = catalog.sub_service(submission.section, submission.sub_service)
    if sub_service is not None and relation not in sub_service.subjects:
        reasons.append(reason("subject_not_allowed_for_service", "subject_id", relation))
    return reasons


def _contact(submission: PortalSubmission) -> list[Reason]:
    reasons = []
    email, mobile = submission.contact.email, submission.contact.mobile
    if email is not None and not _EMAIL.match(email):
        reasons.append(reason("contact_invalid", "contact.email", "e-mail address", value_ar="البريد الإلكتروني"))
    if mobile is not None and not _MOBILE.match(identity.normalise_digits(re.sub(r"[ \-()]", "", mobile))):
        reasons.append(reason("contact_invalid", "contact.mobile", "mobile number", value_ar="رقم الجوال"))
    if "email" in submission.channels and not email:
        reasons.append(reason("contact_missing", "contact.email", "E-mail", what="e-mail address",
                              value_ar="البريد الإلكتروني", what_ar="عنوان بريد إلكتروني"))
    if "sms" in submission.channels and not mobile:
        reasons.append(reason("contact_missing", "contact.mobile", "SMS", what="mobile number",
                              value_ar="الرسائل النصية", what_ar="رقم جوال"))
    return reasons


def _attachments(submission: PortalSubmission, limits: Limits, catalog: Catalog) -> tuple[list[File], list[Reason]]:
    sub_service = catalog.sub_service(submission.section, submission.sub_service)
    files, reasons = check_files(submission.attachments, limits)
    if sub_service is None:
        return files, reasons
    taken = (*sub_service.required_attachments, *sub_service.optional_attachments)
    reasons += [reason("attachment_kind_not_allowed", f"attachments[{i}].kind", attachment.kind)
                for i, attachment in enumerate(submission.attachments) if attachment.kind not in taken]
    present = {attachment.kind for attachment in submission.attachments}
    reasons += [reason("attachment_missing", "attachments", kind)
                for kind in sub_service.required_attachments if kind not in present]
    return files, reasons


def check_files(uploaded: Sequence[Attachment], limits: Limits) -> tuple[list[File], list[Reason]]:
    """The files that are readable PDF, JPEG or PNG within the limits, and why the others are not."""
    if len(uploaded) > limits.files:  # refused before any is decoded
        return [], [reason("attachment_count", "attachments", len(uploaded), limit=limits.files)]
    reasons: list[Reason] = []
    files: list[File] = []
    total = 0
    for i, attachment in enumerate(uploaded):
        field = f"attachments[{i}]"
        try:
            content = base64.b64decode(attachment.data_base64, validate=True)
        except (binascii.Error, ValueError):
            content = b""
        if not content:
            reasons.append(reason("attachment_unreadable", f"{field}.data_base64", attachment.name))
            continue
        total += len(content)
        if len(content) > limits.file_bytes:
            reasons.append(_too_large(field, f"The file {attachment.name}", f"الملف {attachment.name}",
                                      len(content), limits.file_bytes))
        content_type = attachments.sniff(content)
        if content_type is None:
            reasons.append(reason("attachment_type_not_allowed", f"{field}.data_base64", attachment.name))
            continue
        files.append(File(
            ref=AttachmentRef(
                kind=attachment.kind, name=attachments.safe_name(attachment.name, content_type),
                content_type=content_type, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
            ),
            content=content,
        ))
    if total > limits.request_bytes:
        reasons.append(_too_large("attachments", "All attachments together", "مجموع المرفقات", total,
                                  limits.request_bytes))
    return files, reasons


def _too_large(field: str, what: str, what_ar: str, size: int, limit: int) -> Reason:
    return reason("attachment_too_large", field, what, value_ar=what_ar, size=f"{size / MB:.1f}",
                  limit=f"{limit / MB:g}")


SCHEMA_CODES = {
    "language": "language_not_supported",
    "description": "description_length",
    "section": "unknown_service",
    "sub_service": "unknown_service",
    "account_id": "invalid_identity_number",
    "subject_id": "invalid_identity_number",
    "contact": "contact_invalid",
}


def schema_reasons(error: ValidationError) -> list[Reason]:
    """A submission that does not even fit the contract, explained field by field in the rules' own codes."""
    return reasons_for(error.errors(include_url=False))


def reasons_for(problems: Sequence[Mapping[str, Any]]) -> list[Reason]:
    """Pydantic's `errors()` (a `loc`, a `type` and a `msg` each) as reasons; the input is never repeated."""
    reasons = []
    for problem in problems:
        field = ".".join(str(part) for part in problem["loc"]) or None
        if problem["type"] == CONTROL_CHARACTERS:
            reasons.append(reason(CONTROL_CHARACTERS, field, field))
            continue
        code = SCHEMA_CODES.get(str(problem["loc"][0]) if problem["loc"] else "", "invalid_field")
        reasons.append(Reason(
            code=code, field=field,
            message_en=f"{field or 'the submission'}: {problem['msg']}",
            message_ar=f"{field or 'الطلب'}: قيمة غير صالحة ({problem['msg']})",
        ))
    return reasons


def malformed(detail: str) -> Reason:
    """The answer to a submission that could not be read at all."""
    return reason("malformed_submission", None, detail)
