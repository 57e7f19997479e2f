"""Example data for the tests and the benchmark: the demo household, files, valid submissions to vary.

Built on the demo `tawasul up` runs (`tawasul.demo`), so the tests use the very household a developer sees.
"""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from contracts import (
    AttachmentRef,
    Envelope,
    Event,
    InfoProvided,
    InfoRequested,
    NotificationSent,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    TransferRequested,
)
from intake.catalog import load
from intake.settings import IntakeSettings
from tawasul import demo
from tawasul.demo import ACCOUNT, PDF, PEOPLE, attachment, description, registry_changes, registry_records, subject_for

CATALOG = load(IntakeSettings.model_fields["catalog_version"].default)
"""The catalog intake checks against by default."""

PLANS = demo.plans(CATALOG)
"""Every (section, sub-service, kind of subject) the catalog allows."""

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def submission(n: int, *, plan: demo.Plan | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid portal submission; `n` varies its plan and language and makes its id unique."""
    return {**demo.submission(n, plan or PLANS[n % len(PLANS)], CATALOG), **overrides}


CASE = "TW2600000014"
T0 = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
REF = AttachmentRef(kind="passport-copy", name="passport.png", content_type="image/png", size=68, sha256="a" * 64)


def life() -> list[tuple[Envelope, Event]]:
    """A case from its submission to its resolution: asked, answered, transferred, late, resolved, told."""
    submitted = RequestSubmitted.model_validate({
        **submission(1, plan=("iqama", "renew", "holder"), portal="absher"),
        "attachments": [], "submitted_at": T0,
    })
    correlation, sequences, facts = uuid4(), {}, []
    steps: list[Event] = [
        submitted,
        Routed(department="residency-riyadh", rule="iqama", rules_version="2026.1", due_at=DUE,
               calendar_version="sa-test", department_names={"ar": "الرياض", "en": "Riyadh"}),
        InfoRequested(department="residency-riyadh", question="Please attach the passport.", officer_id="o-1"),
        SlaPaused(paused_at=T0 + timedelta(days=1), remaining_seconds=3600 * 30, due_at=DUE),
        InfoProvided(answer="Attached.", attachments=[REF]),
        SlaResumed(resumed_at=T0 + timedelta(days=2), due_at=DUE + timedelta(days=1), calendar_version="sa-test"),
        TransferRequested(from_department="residency-riyadh", to_department="passports", reason="x", officer_id="o-1"),
        Routed(department="passports", rule="transfer", rules_version="2026.1", due_at=DUE + timedelta(days=1),
               calendar_version="sa-test", transferred_from="residency-riyadh"),
        SlaBreached(due_at=DUE + timedelta(days=1), new_due_at=DUE + timedelta(days=3), calendar_version="sa-test"),
        Resolved(department="passports", outcome="completed", public_reply="Done.", officer_id="o-1"),
    ]
    for n, event in enumerate(steps):
        sequences[event.PRODUCER] = sequences.get(event.PRODUCER, 0) + 1
        envelope = Envelope(type=event.TYPE, version=1, case_id=CASE, sequence=sequences[event.PRODUCER],
                            producer=event.PRODUCER, correlation_id=correlation, occurred_at=T0 + timedelta(hours=n),
                            data=event.model_dump(mode="json"))
        facts.append((envelope, event))
    told = NotificationSent(notified_event_id=facts[0][0].event_id, notified_event_type="RequestSubmitted",
                            channel="email", provider_message_id="m-1", attempts=1, templates_version="t")
    facts.append((Envelope(type=told.TYPE, version=1, case_id=CASE, sequence=1, producer="notify",
                           correlation_id=correlation, data=told.model_dump(mode="json")), told))
    return facts


__all__ = ["ACCOUNT", "CATALOG", "JPEG", "PDF", "PEOPLE", "PLANS", "PNG", "attachment", "description",
           "registry_changes", "registry_records", "subject_for", "submission", "life"]
