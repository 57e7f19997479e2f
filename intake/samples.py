"""Example data for the demo, the tests and the benchmark: a household in the registry, files, submissions.

Every submission `submission(n)` builds passes every rule once `registry_changes()` is in the
registry: its subject is linked to the account in a way its sub-service allows, its description
names the subject's identity number, and it carries the attachments its sub-service requires.
"""

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from intake.catalog import CATALOG

ACCOUNT = "1000000008"
"""The demo account holder, a citizen."""

PEOPLE: dict[str, tuple[str, str]] = {
    "1000000016": ("dependent", "SA"),  # a son
    "2000000006": ("sponsored", "IN"),  # a driver
    "2000000014": ("sponsored", "PH"),  # a housekeeper
    "3000000010": ("visitor", "YE"),  # a visiting brother-in-law
    "4000000019": ("visitor", "SY"),  # a visiting cousin
}
"""(relation, nationality) of each person linked to ACCOUNT."""

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

PLANS: list[tuple[str, str, str]] = [
    (section.code, sub.code, subject)
    for section in CATALOG.sections
    for sub in section.sub_services
    for subject in sub.subjects
]
"""Every (section, sub-service, kind of subject) the catalog allows."""


def registry_changes(occurred_at: datetime | None = None) -> list[dict[str, Any]]:
    """PersonLinked messages for the demo household, as the population registry publishes them."""
    at = (occurred_at or datetime(2026, 1, 1, tzinfo=UTC)).isoformat()
    return [
        {"event_id": f"demo-link-{person}", "type": "PersonLinked", "account_id": ACCOUNT, "person_id": person,
         "relation": relation, "nationality": nationality, "occurred_at": at}
        for person, (relation, nationality) in PEOPLE.items()
    ]


def registry_records() -> list[tuple[bytes, bytes]]:
    """`registry_changes()` as the (key, value) records the registry publishes to `tawasul.registry`."""
    return [(change["account_id"].encode(), json.dumps(change).encode()) for change in registry_changes()]


def subject_for(relation: str) -> str:
    if relation == "holder":
        return ACCOUNT
    return next(person for person, (kind, _) in PEOPLE.items() if kind == relation)


def attachment(kind: str, content: bytes = PDF, name: str | None = None) -> dict[str, str]:
    return {"kind": kind, "name": name or f"{kind}.pdf", "content_type": "application/pdf",
            "data_base64": base64.b64encode(content).decode()}


def description(subject_id: str, arabic: bool, n: int = 0) -> str:
    if arabic:
        return f"تعذر إكمال المعاملة إلكترونياً عبر البوابة (طلب {n}) لصاحب الرقم {subject_id}، وظهرت رسالة خطأ."
    return f"The transaction could not be completed online (request {n}) for ID {subject_id}; the portal gave an error."


def submission(n: int, *, plan: tuple[str, str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid portal submission; `n` varies its plan and language and makes its id unique."""
    section, sub_service, relation = plan or PLANS[n % len(PLANS)]
    sub = CATALOG.sub_service(section, sub_service)
    assert sub is not None
    subject_id = subject_for(relation)
    arabic = n % 3 != 0
    body = {
        "submission_id": f"sub-{uuid.uuid4().hex[:12]}-{n}",
        "portal": "absher" if n % 2 else "muqeem",
        "account_id": ACCOUNT,
        "subject_id": subject_id,
        "section": section,
        "sub_service": sub_service,
        "description": description(subject_id, arabic, n),
        "attachments": [attachment(kind) for kind in sub.required_attachments],
        "language": "ar" if arabic else "en",
        "contact": {"email": f"person{n}@example.sa", "mobile": "+966500000000"},
        "channels": ["email", "sms"] if n % 2 else ["email"],
    }
    body.update(overrides)
    return body
