"""What the beneficiary is told of each update: one message per (event type, language, channel), from templates.

Templates live in `notify/templates/<event>/<lang>.<channel>.<part>.j2` (parts: e-mail `subject`, `txt`,
`html`; SMS `txt`); HTML ones extend `_base.html.j2` and are autoescaped, text ones are not. Only the
context's public fields are ever rendered: no template refers to an internal note.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Undefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from contracts.vocabulary import RIYADH, Channel, Language
from notify.segments import encoding, fit

TEMPLATES_VERSION = "2026.2"
"""The wording's version: change it with any template, so a sent message can be traced to its text."""

EVENT_TYPES = ("RequestSubmitted", "Routed", "InfoRequested", "Resolved", "SlaBreached")
LANGUAGES: tuple[Language, ...] = ("ar", "en")
CHANNELS: tuple[Channel, ...] = ("email", "sms")
PARTS: dict[Channel, tuple[str, ...]] = {"email": ("subject", "txt", "html"), "sms": ("txt",)}

OUTCOMES: dict[str, dict[Language, str]] = {
    "completed": {"ar": "مكتمل", "en": "completed"},
    "rejected": {"ar": "مرفوض", "en": "rejected"},
    "closed_no_response": {"ar": "مغلق لعدم الرد", "en": "closed for lack of a reply"},
}
REJECTION_REASONS: dict[str, dict[Language, str]] = {
    "not_eligible": {"ar": "عدم استيفاء شروط الخدمة", "en": "the conditions of the service are not met"},
    "documents_insufficient": {"ar": "المستندات المرفقة غير كافية", "en": "the documents attached are not sufficient"},
    "violations_outstanding": {"ar": "وجود مخالفات أو غرامات يلزم سدادها أولًا",
                               "en": "violations or fines must be settled first"},
    "duplicate_request": {"ar": "يوجد طلب مماثل قيد المعالجة", "en": "the same request is already being handled"},
    "not_our_service": {"ar": "الطلب من اختصاص جهة أخرى", "en": "another authority handles this request"},
    "other": {"ar": "كما هو موضح في الرد", "en": "as the reply explains"},
}

WEEKDAYS: dict[Language, tuple[str, ...]] = {
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS: dict[Language, tuple[str, ...]] = {
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
           "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"),
    "en": ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December"),
}


@dataclass(frozen=True)
class Message:
    """A rendered notification; `subject` and `html` only for e-mail."""

    subject: str | None
    text: str
    html: str | None


def format_when(moment: datetime, language: Language) -> str:
    """An aware datetime in Riyadh time, in `language`.

    English "Monday 30 November 2026, 15:00 (Riyadh time)"; Arabic "الاثنين 30 نوفمبر 2026، 3:00 م بتوقيت الرياض".
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a notification's date must be timezone-aware, not {moment!r}")
    local = moment.astimezone(RIYADH)
    day = f"{WEEKDAYS[language][local.weekday()]} {local.day} {MONTHS[language][local.month - 1]} {local.year}"
    if language == "ar":
        return f"{day}، {(local.hour - 1) % 12 + 1}:{local.minute:02d} {'ص' if local.hour < 12 else 'م'} بتوقيت الرياض"
    return f"{day}, {local.hour:02d}:{local.minute:02d} (Riyadh time)"


def _defined(value: Any) -> Any:
    """`value`, or the StrictUndefined error if it is undefined."""
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises UndefinedError here
    return value


@pass_context
def _when(context: Context, value: datetime) -> str:
    return format_when(_defined(value), context["language"])


@pass_context
def _department(context: Context, code: str) -> str:
    """The name routing gave the department (`department_names` in the context), else its code."""
    names = context.get("department_names") or {}
    return names.get(context["language"]) or _defined(code)


@pass_context
def _outcome(context: Context, code: str) -> str:
    return OUTCOMES.get(_defined(code), {}).get(context["language"], code)


@pass_context
def _reason(context: Context, code: str) -> str:
    return REJECTION_REASONS.get(_defined(code), {}).get(context["language"], code)


def _nl2br(value: str) -> Markup:
    """Escaped text with its line breaks kept, for HTML."""
    return Markup("<br>\n").join(escape(line) for line in str(_defined(value)).splitlines())


ENVIRONMENT = Environment(
    loader=PackageLoader("notify", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
ENVIRONMENT.filters.update(when=_when, department=_department, outcome=_outcome, reason=_reason, nl2br=_nl2br)


def render(
    event_type: str,
    language: Language,
    channel: Channel,
    context: Mapping[str, Any],
    *,
    max_sms_segments: int = 3,
) -> Message:
    """The message telling of `event_type` in `language` over `channel`; an SMS is shortened to `max_sms_segments`.

    Raises LookupError for an unknown event type, language or channel, and jinja2.UndefinedError when
    `context` lacks a value the message needs (`due_at` may be None on `Routed`: the due date is then left out).
    """
    if event_type not in EVENT_TYPES:
        raise LookupError(f"no notification for event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
    if language not in LANGUAGES:
        raise LookupError(f"no notification in language {language!r}; known: {', '.join(LANGUAGES)}")
    if channel not in CHANNELS:
        raise LookupError(f"no notification over channel {channel!r}; known: {', '.join(CHANNELS)}")
    variables = {**context, "language": language}
    parts: dict[str, str] = {}
    for part in PARTS[channel]:
        template = ENVIRONMENT.get_template(f"{event_type}/{language}.{channel}.{part}.j2")
        rendered = template.render(variables, **parts).strip()
        parts[part] = " ".join(rendered.split()) if part == "subject" else rendered
    if channel == "sms":
        text = parts["txt"]
        # "…" is not GSM-7: ending a GSM-7 text with it would make the whole SMS UCS-2 (160 -> 70 per segment)
        return Message(subject=None, text=fit(text, max_sms_segments, "..." if encoding(text) == "GSM-7" else "…"),
                       html=None)
    return Message(subject=parts["subject"], text=parts["txt"] + "\n", html=parts["html"] + "\n")
