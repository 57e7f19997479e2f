"""`tawasul audit history`: a case's whole history across the four services, read from every service's store, and
what each service's read models said of it at any moment (folded through the very projections the services run,
`system.projections()`).

The history itself — the entries, as-of, the text, JSON and CSV forms, the masking — is `casework.history`, which
the auditor's page in casework tells from casework's own copy of the case log; this module only reads the stores.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text

from casework.history import (
    ID_NUMBER,
    PUBLIC_TOO,
    SHOWN_AS_OF,
    VERSIONS,
    Entry,
    actor_of,
    as_csv,
    as_document,
    as_text,
    entries_of,
    masked,
    up_to,
)
from casework.history import as_of as _as_of
from contracts import Envelope
from tawasul import system

__all__ = ["ID_NUMBER", "PUBLIC_TOO", "SHOWN_AS_OF", "VERSIONS", "Entry", "actor_of", "as_csv", "as_document",
           "as_of", "as_text", "entries_of", "masked", "read_case",
           "up_to"]


async def read_case(case_id: str, databases) -> list[Entry]:
    """Every event of the case in each service's store (`databases`: name → sessions)."""
    stored: list[Envelope] = []
    for sessions in databases.values():
        async with sessions() as session:
            rows = await session.execute(text("SELECT envelope FROM event_store WHERE stream = :case "
                                              "ORDER BY sequence"), {"case": case_id})
            stored.extend(Envelope.model_validate(document) for (document,) in rows)
    return entries_of(stored)


def as_of(entries: Sequence[Entry], moment: datetime, case_id: str) -> dict[str, dict[str, Any]]:
    """What each service's read models said of the case at `moment` (`casework.history.as_of` over every
    service's projections)."""
    return _as_of(entries, moment, case_id, system.projections())
