"""Every event survives the wire; envelopes refuse what is not ours; old versions upcast on read."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from contracts import (
    EVENTS,
    AnswerOverdue,
    AttachmentRef,
    CaseAssigned,
    CaseClaimed,
    CaseReleased,
    Contact,
    Envelope,
    Escalated,
    Event,
    IdentityRevealed,
    InfoProvided,
    InfoRequested,
    NoteAdded,
    NotificationFailed,
    NotificationSent,
    Reason,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    SlaWarning,
    SubmissionAccepted,
    SubmissionRejected,
    TransferRefused,
    TransferRequested,
    UnknownEventType,
    Upcasters,
    decode_event,
    latest_version,
    new_event_id,
)

RIYADH = timezone(timedelta(hours=3))

EXAMPLES: dict[tuple[str, int], Callable[[], Event]] = {
    ("SubmissionAccepted", 1): lambda: SubmissionAccepted(
        submission_id="absher-1", portal="absher", tracking_number="TW-2025-000001"
    ),
    ("SubmissionRejected", 1): lambda: SubmissionRejected(
        submission_id="absher-2",
        portal="absher",
        reasons=[
            Reason(
                code="missing_attachment",
                field="attachments",
                message_en="Attach the passport copy",
                message_ar="أرفق صورة جواز السفر",
            ),
        ],
    ),
    ("RequestSubmitted", 1): lambda: RequestSubmitted(
        submission_id="muqeem-3",
        portal="muqeem",
        account_id="1012345678",
        subject_id="2012345678",
        section="residency",
        sub_service="renewal",
        description="تجديد الإقامة لم يكتمل عبر البوابة",
        attachments=[
            AttachmentRef(
                kind="passport",
                name="passport.pdf",
                content_type="application/pdf",
                size=2048,
                sha256="ab" * 32,
            ),
        ],
        language="ar",
        contact=Contact(email="someone@example.com", mobile="+966500000000"),
        channels=["email", "sms"],
        submitted_at=datetime(2025, 3, 1, 9, 30, tzinfo=RIYADH),
    ),
    ("Routed", 1): lambda: Routed(
        department="residency-affairs",
        rule="residency/renewal",
        rules_version="2025.1",
        due_at=datetime(2025, 3, 4, 9, 30, tzinfo=UTC),
    ),
    ("TransferRequested", 1): lambda: TransferRequested(
        from_department="residency-riyadh", to_department="passports", reason="a lost passport", officer_id="o-7",
    ),
    ("TransferRefused", 1): lambda: TransferRefused(to_department="nowhere", reason="no department nowhere"),
    ("InfoRequested", 1): lambda: InfoRequested(
        department="passports", question="يرجى إرفاق صورة واضحة من الجواز", officer_id="o-7",
    ),
    ("InfoProvided", 1): lambda: InfoProvided(answer="Attached.", attachments=[]),
    ("SlaPaused", 1): lambda: SlaPaused(
        paused_at=datetime(2025, 3, 2, 8, tzinfo=UTC), remaining_seconds=3600,
        due_at=datetime(2025, 3, 4, 12, tzinfo=UTC),
    ),
    ("SlaResumed", 1): lambda: SlaResumed(
        resumed_at=datetime(2025, 3, 9, 8, tzinfo=UTC), due_at=datetime(2025, 3, 10, 12, tzinfo=UTC),
        calendar_version="sa-2026.1+2027.1",
    ),
    ("SlaBreached", 1): lambda: SlaBreached(
        due_at=datetime(2025, 3, 4, 12, tzinfo=UTC), new_due_at=datetime(2025, 3, 6, 12, tzinfo=UTC),
        calendar_version="sa-2026.1+2027.1",
    ),
    ("NotificationSent", 1): lambda: NotificationSent(
        notified_event_id=new_event_id(), notified_event_type="Routed", channel="sms",
        provider_message_id="sms-1", attempts=1, templates_version="2026.1",
    ),
    ("NotificationFailed", 1): lambda: NotificationFailed(
        notified_event_id=new_event_id(), notified_event_type="Resolved", channel="email",
        reason="550 mailbox unavailable", attempts=1, permanent=True,
    ),
    ("Resolved", 2): lambda: Resolved(
        department="residency-affairs",
        outcome="completed",
        public_reply="Your residency was renewed.",
        officer_id="officer-7",
    ),
    ("SlaWarning", 1): lambda: SlaWarning(due_at=datetime(2025, 3, 4, 12, tzinfo=UTC), share=0.8),
    ("AnswerOverdue", 1): lambda: AnswerOverdue(asked_at=datetime(2025, 3, 2, 8, tzinfo=UTC),
                                                answer_due_at=datetime(2025, 3, 16, 12, tzinfo=UTC)),
    ("Escalated", 1): lambda: Escalated(department="passports", due_at=datetime(2025, 3, 4, 12, tzinfo=UTC)),
    ("CaseClaimed", 1): lambda: CaseClaimed(department="passports", officer_id="omar.officer"),
    ("CaseAssigned", 1): lambda: CaseAssigned(department="passports", officer_id="sara.officer",
                                              assigned_by="huda.supervisor"),
    ("CaseReleased", 1): lambda: CaseReleased(department="passports", officer_id="sara.officer",
                                              released_by="sara.officer"),
    ("NoteAdded", 1): lambda: NoteAdded(department="passports", note="Called the office; waiting for the file.",
                                        officer_id="omar.officer"),
    ("IdentityRevealed", 1): lambda: IdentityRevealed(department="passports", fields=("subject_id",),
                                                      reason="to call the Riyadh office", officer_id="omar.officer"),
}


def envelope_for(event: Event, **overrides: object) -> Envelope:
    """The envelope a producer would wrap `event` in."""
    fields: dict[str, object] = {
        "type": event.TYPE,
        "version": event.VERSION,
        "case_id": "TW-2025-000001",
        "sequence": 1,
        "producer": "tests",
        "correlation_id": new_event_id(),
        "data": event.model_dump(mode="json"),
    }
    return Envelope.model_validate(fields | overrides)


def raw_envelope(**overrides: object) -> dict[str, object]:
    """An envelope as JSON-ready fields, for what the model should refuse."""
    return envelope_for(EXAMPLES[("Resolved", 2)]()).model_dump(mode="json") | overrides


@pytest.mark.parametrize("key", EVENTS, ids="{0[0]}.v{0[1]}".format)
def test_every_event_round_trips_through_the_wire(key: tuple[str, int]) -> None:
    assert key in EXAMPLES, f"add an example of {key[0]} v{key[1]} to EXAMPLES"
    event = EXAMPLES[key]()
    envelope = envelope_for(event)

    received = Envelope.model_validate_json(envelope.model_dump_json().encode())

    assert received == envelope
    assert decode_event(received) == event


def test_an_envelope_refuses_a_naive_time() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        Envelope.model_validate(raw_envelope(occurred_at="2025-03-01T09:30:00"))


def test_an_envelope_keeps_the_instant_in_utc() -> None:
    envelope = Envelope.model_validate(raw_envelope(occurred_at="2025-03-01T12:30:00+03:00"))
    assert envelope.occurred_at == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    assert envelope.occurred_at.tzinfo is UTC


def test_an_envelope_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="traceparent"):
        Envelope.model_validate(raw_envelope(traceparent="00-abc"))


def test_an_event_refuses_a_naive_time() -> None:
    with pytest.raises(ValidationError):
        Routed(department="d", rule="r", rules_version="1", due_at=datetime(2025, 3, 4, 9, 30))


def test_an_unknown_type_is_refused_by_name() -> None:
    envelope = envelope_for(EXAMPLES[("Resolved", 2)](), type="CaseTeleported")
    with pytest.raises(UnknownEventType, match="'CaseTeleported'") as refused:
        decode_event(envelope)
    assert isinstance(refused.value, ValueError)


def test_a_version_newer_than_ours_is_refused() -> None:
    with pytest.raises(UnknownEventType, match="Resolved v3"):
        decode_event(envelope_for(EXAMPLES[("Resolved", 2)](), version=3))


def test_bad_data_is_a_validation_error() -> None:
    envelope = envelope_for(EXAMPLES[("Resolved", 2)](), data={"department": "d", "outcome": "lost"})
    with pytest.raises(ValidationError):
        decode_event(envelope)


def test_a_field_added_by_a_newer_producer_is_ignored() -> None:
    event = EXAMPLES[("Resolved", 2)]()
    envelope = envelope_for(event, data=event.model_dump(mode="json") | {"reviewed_by": "officer-9"})
    assert decode_event(envelope) == event


# Upcasting, on a made-up event with its own catalog and registry.


class NoteV1(Event):
    TYPE = "NoteTaken"
    VERSION = 1

    text: str


class NoteV3(Event):
    TYPE = "NoteTaken"
    VERSION = 3

    body: str
    language: str


NOTES = {("NoteTaken", 1): NoteV1, ("NoteTaken", 3): NoteV3}


def note_upcasters() -> Upcasters:
    """v1 renamed `text` to `body` in v2; v3 added a required `language`."""
    upcasters = Upcasters()

    @upcasters.register("NoteTaken", 1)
    def body_from_text(data: dict) -> dict:
        return {"body": data["text"]}

    @upcasters.register("NoteTaken", 2)
    def language_defaults_to_arabic(data: dict) -> dict:
        return data | {"language": "ar"}

    return upcasters


def test_an_old_version_is_upcast_step_by_step_to_the_latest() -> None:
    envelope = envelope_for(NoteV1(text="call back"))

    event = decode_event(envelope, events=NOTES, upcasters=note_upcasters())

    assert event == NoteV3(body="call back", language="ar")
    assert envelope.data == {"text": "call back"}


def test_the_latest_version_needs_no_upcaster() -> None:
    event = NoteV3(body="call back", language="en")
    assert decode_event(envelope_for(event), events=NOTES, upcasters=Upcasters()) == event


def test_a_missing_step_names_it() -> None:
    with pytest.raises(LookupError, match="NoteTaken v1 -> v2"):
        decode_event(envelope_for(NoteV1(text="call back")), events=NOTES, upcasters=Upcasters())


def test_an_upcaster_is_registered_once() -> None:
    upcasters = note_upcasters()
    with pytest.raises(ValueError, match="already registered"):
        upcasters.register("NoteTaken", 1)(lambda data: data)


def test_the_latest_version_is_the_highest_in_the_catalog() -> None:
    assert latest_version("NoteTaken", events=NOTES) == 3
    assert latest_version("Resolved") == 2


@pytest.mark.parametrize(("v1", "v2"), [
    ({"outcome": "declined"}, {"outcome": "rejected", "rejection_reason": "other"}),
    ({"outcome": "completed"}, {"outcome": "completed", "rejection_reason": None}),
])
def test_a_stored_resolved_v1_reads_as_v2_with_declined_as_a_rejection(v1: dict, v2: dict) -> None:
    data = {"department": "passports", "public_reply": "As explained.", "officer_id": "o-7", **v1}
    envelope = envelope_for(EXAMPLES[("Resolved", 2)](), version=1, data=data)
    resolved = decode_event(envelope)
    assert isinstance(resolved, Resolved) and resolved.model_dump() == {**data, **v2}
