"""Intake's decisions, free of I/O: is a submission acceptable, and what is its tracking number."""

import hashlib
import json

from stdnum import damm

from contracts import PortalSubmission, Reason
from intake.catalog import SECTIONS

TRACKING_PREFIX = "TW"


def tracking_number(serial: int, year: int) -> str:
    """`TW` + two-digit year + seven-digit serial + a Damm check digit: TW2600001234 + 8."""
    digits = f"{year % 100:02d}{serial:07d}"
    return f"{TRACKING_PREFIX}{digits}{damm.calc_check_digit(digits)}"


def is_valid_tracking_number(value: str) -> bool:
    digits = value.removeprefix(TRACKING_PREFIX)
    return value.startswith(TRACKING_PREFIX) and len(digits) == 10 and digits.isdigit() and damm.is_valid(digits)


def fingerprint(submission: PortalSubmission) -> str:
    """The same submission, however its JSON was spelled, has the same fingerprint."""
    canonical = json.dumps(submission.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check(submission: PortalSubmission) -> list[Reason]:
    """Every reason the submission cannot be accepted (empty when it can)."""
    reasons: list[Reason] = []
    sub_services = SECTIONS.get(submission.section)
    if sub_services is None or submission.sub_service not in sub_services:
        reasons.append(Reason(
            code="unknown_service",
            field="sub_service" if sub_services is not None else "section",
            message_en="A request not filed under one of the listed sections and sub-services is not considered.",
            message_ar="لا يُنظر في الطلب غير المقدم ضمن الأقسام والخدمات الفرعية المدرجة.",
        ))
    if "email" in submission.channels and not submission.contact.email:
        reasons.append(Reason(
            code="contact_missing", field="contact.email",
            message_en="E-mail was chosen as a channel but no e-mail address was given.",
            message_ar="تم اختيار البريد الإلكتروني قناةً للإشعار دون تحديد عنوان بريد إلكتروني.",
        ))
    if "sms" in submission.channels and not submission.contact.mobile:
        reasons.append(Reason(
            code="contact_missing", field="contact.mobile",
            message_en="SMS was chosen as a channel but no mobile number was given.",
            message_ar="تم اختيار الرسائل النصية قناةً للإشعار دون تحديد رقم جوال.",
        ))
    return reasons


def malformed(detail: str) -> Reason:
    """The answer to a submission that could not be read at all."""
    return Reason(
        code="malformed_submission",
        field=None,
        message_en=f"The submission could not be read: {detail}",
        message_ar=f"تعذرت قراءة الطلب: {detail}",
    )
