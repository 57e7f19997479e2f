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


def mask(text: str) -> str:
    """`text` with ID numbers, phones and e-mail addresses replaced by `[redacted]`."""
    return _ID_OR_PHONE.sub("[redacted]", _EMAIL.sub("[redacted]", text))


def redact_personal_data(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Drop values under personal keys and mask ID numbers, phones and e-mails anywhere in strings."""
    for key, value in list(event_dict.items()):
        if key in PERSONAL_KEYS:
            event_dict[key] = "[redacted]"
        elif isinstance(value, str):
            event_dict[key] = mask(value)
    return event_dict


def configure_logging(*, service: str, fmt: str = "console", level: str = "INFO") -> None:
    """structlog for our own lines and, through the same processors, for every standard-library logger (uvicorn,
    asyncio, the Kafka client…): their messages and tracebacks are masked like ours."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_personal_data,
    ]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder(), *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
