"""Every string of casework's pages has its Arabic translation, and the Arabic pages run right to left."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from casework.history import DETAILS as HISTORY_DETAILS
from casework.history import PUBLIC_TOO
from casework.history_page import WORDS
from casework.language import DIRECTION, LOCALE, translations
from casework.timeline import SHOWN
from contracts.vocabulary import OUTCOMES, REJECTION_REASONS, ROLES

TEMPLATES = Path("casework/templates")
STATUSES = ("submitted", "open", "awaiting_information", "resolved")
DETAILS = ("question", "answer", "note", "public_reply", "reason", "department", "to_department", "officer_id",
           "outcome", "rejection_reason", "fields")
REVEALED = ("subject_id", "account_id")
VALUES = {*ROLES, *STATUSES, *OUTCOMES, *REJECTION_REASONS, *DETAILS, *REVEALED, *DIRECTION,
          *(event.TYPE for event in SHOWN), *PUBLIC_TOO, *HISTORY_DETAILS, *WORDS}
"""Values a template passes to `_()`, which extraction cannot see: roles, statuses, outcomes, reasons, the
timeline's event types and the details it shows, the ID numbers an officer reveals, the languages; and the
history page's notifications, details, services, channels and the like."""


def template_strings() -> set[str]:
    found = extract_from_dir(TEMPLATES, method_map=[("**.html", "jinja2.ext:babel_extract")],
                             options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def test_every_string_of_the_pages_and_every_value_they_translate_has_an_arabic_translation():
    strings = template_strings()
    assert {"Sign in", "Queue", "Tracking number"} <= strings  # extraction sees the templates at all
    with (LOCALE / "ar" / "LC_MESSAGES" / "casework.po").open("rb") as file:
        catalog = read_po(file)
    translated = {message.id for message in catalog if message.id and message.string}
    assert not (strings | VALUES) - translated
    assert DETAILS == tuple(re.search(r'{% for key in \(([^)]*)\)', (TEMPLATES / "case.html").read_text())[1]
                            .replace('"', "").replace(" ", "").split(","))


def test_arabic_is_right_to_left_and_english_left_to_right_with_english_as_its_own_text():
    assert DIRECTION == {"ar": "rtl", "en": "ltr"}
    assert translations("ar").gettext("Sign in") == "تسجيل الدخول"
    assert translations("en").gettext("Sign in") == "Sign in"
