"""The officers' pages in Arabic and English: message catalogs (gettext, through Babel) and the writing direction.

The pages are written in English; `locale/ar/LC_MESSAGES/casework.po` translates every string. The catalog is
compiled as the process starts (no build step), and a string with no translation shows in English.
"""

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from contracts.vocabulary import Language

LOCALE = Path(__file__).parent / "locale"
DOMAIN = "casework"
DIRECTION: dict[Language, str] = {"ar": "rtl", "en": "ltr"}


@cache
def translations(language: Language) -> NullTranslations:
    po = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as file:
        catalog = read_po(file, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
