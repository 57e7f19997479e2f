"""Jinja2 for the officers' pages: autoescaped templates, gettext in the language of the page, and the
Content-Security-Policy every page is sent with (scripts and styles from casework itself, nothing inline)."""

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context
from starlette.responses import HTMLResponse

from casework.language import DIRECTION, translations
from contracts.vocabulary import RIYADH, Language

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "font-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                                            autoescape=True, extensions=["jinja2.ext.i18n"]))


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(context["lang"]).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context["lang"]).ngettext(singular, plural, n)


templates.env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
def masked(value: str | None) -> str:
    """An ID number as the page shows it until revealed: its last four digits."""
    return f"{'•' * max(len(value) - 4, 0)}{value[-4:]}" if value else ""


ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{10}(?![0-9])")
templates.env.filters["masked"] = masked
templates.env.filters["masked_text"] = lambda text: ID_IN_TEXT.sub(lambda m: masked(m[0]), text or "")
"""Free text (a description, an answer) with every ten-digit number in it masked the same way."""
templates.env.filters["riyadh"] = lambda value, fmt="%Y-%m-%d %H:%M": value.astimezone(RIYADH).strftime(fmt) \
    if value else ""


def language_of(request: Request, preferred: str | None) -> Language:
    """The user's own choice, else what the browser asks for first of Arabic and English, else Arabic."""
    if preferred in DIRECTION:
        return preferred  # type: ignore[return-value]
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in DIRECTION:
            return tag  # type: ignore[return-value]
    return "ar"


def page(request: Request, name: str, *, lang: Language, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template `name` rendered in `lang`, with the CSRF token for its forms."""
    token = request.scope.get("csrftoken")
    response = templates.TemplateResponse(
        request, name, {"lang": lang, "dir": DIRECTION[lang], "csrftoken": token() if token else "", **context},
        status_code=status_code,
    )
    response.headers["content-security-policy"] = PAGE_POLICY
    return response
