"""Structured logs through structlog; personal data is masked before anything is written."""

import logging
import re
import sys
from typing import Any

import structlog

PERSONAL_KEYS = frozenset(
    {"email", "mobile", "phone", "contact", "account_id", "subject_id", "description", "data_base64"}
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_ID_OR_PHONE = re.compile(r"(?<![\w-])\+?[0-9٠-٩][0-9٠-٩ -]{7,14}[0-9٠-٩](?!\w)")
"""Nine or more digits (Latin or Arabic-Indic), spaced or dashed: an ID number or a phone."""


def _mask(text: str) -> str:
    return _ID_OR_PHONE.sub("[redacted]", _EMAIL.sub("[redacted]", text))


def redact_personal_data(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Drop values under personal keys and mask ID numbers, phones and e-mails anywhere in strings."""
    for key, value in list(event_dict.items()):
        if key in PERSONAL_KEYS:
            event_dict[key] = "[redacted]"
        elif isinstance(value, str):
            event_dict[key] = _mask(value)
    return event_dict


def configure_logging(*, service: str, fmt: str = "console", level: str = "INFO") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stdout, format=f"{service} %(name)s %(levelname)s %(message)s"
    )
