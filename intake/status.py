"""A request's public status, folded from its public history: what a beneficiary may see, nothing more."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from contracts import (
    Event,
    InfoProvided,
    InfoRequested,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
)
from contracts.vocabulary import RIYADH, Outcome, RejectionReason

Status = Literal["submitted", "routed", "in_progress", "information_requested", "resolved"]

PUBLIC: dict[type[Event], tuple[str, ...]] = {
    RequestSubmitted: (),
    Routed: ("department", "due_at"),
    InfoRequested: ("question",),
    SlaPaused: (),
    InfoProvided: (),
    SlaResumed: ("due_at",),
    SlaBreached: ("new_due_at",),
    Resolved: ("outcome", "rejection_reason", "public_reply"),
}
"""Which fields of each event a beneficiary may see; no officer ids, rules or internal notes."""

STATUS_AFTER: dict[str, Status] = {
    "RequestSubmitted": "submitted",
    "Routed": "routed",
    "InfoRequested": "information_requested",
    "InfoProvided": "in_progress",
    "Resolved": "resolved",
}


LEGACY = {("outcome", "declined"): "rejected"}
"""Values a history kept from before an event's new version (`Resolved` v1), as that version reads them."""


def public_part(event: Event) -> dict[str, Any]:
    return event.model_dump(mode="json", include=set(PUBLIC[type(event)]))


class Step(BaseModel):
    type: str
    at: datetime
    details: dict[str, Any]

    @field_serializer("at")
    def _riyadh(self, value: datetime) -> datetime:
        return value.astimezone(RIYADH)

    @field_serializer("details")
    def _riyadh_details(self, details: dict[str, Any]) -> dict[str, Any]:
        return {key: datetime.fromisoformat(value).astimezone(RIYADH).isoformat()
                if key.endswith("_at") and isinstance(value, str) else value for key, value in details.items()}


class RequestStatus(BaseModel):
    model_config = ConfigDict(validate_assignment=True)

    tracking_number: str
    section: str
    sub_service: str
    submitted_at: datetime
    status: Status
    department: str | None = None
    due_at: datetime | None = None
    question: str | None = Field(default=None, description="what the officer asked, while an answer is awaited")
    outcome: Outcome | None = None
    rejection_reason: RejectionReason | None = None
    public_reply: str | None = None
    history: list[Step]

    @field_serializer("submitted_at", "due_at")
    def _riyadh(self, value: datetime | None) -> datetime | None:
        return value.astimezone(RIYADH) if value is not None else None


def fold(
    tracking_number: str, section: str, sub_service: str, submitted_at: datetime, history: Sequence[Step]
) -> RequestStatus:
    """The status after `history` (in the order it happened); a resolved request stays resolved."""
    view = RequestStatus(tracking_number=tracking_number, section=section, sub_service=sub_service,
                         submitted_at=submitted_at, status="submitted", history=list(history))
    for step in history:
        if view.status == "resolved":
            break
        if step.type == "Routed" and view.status in ("information_requested", "in_progress"):
            pass  # a transfer does not undo where the case stands
        else:
            view.status = STATUS_AFTER.get(step.type, view.status)
        for field in ("department", "due_at", "question", "outcome", "rejection_reason", "public_reply"):
            if step.details.get(field) is not None:
                setattr(view, field, LEGACY.get((field, step.details[field]), step.details[field]))
        if step.type == "SlaPaused":
            view.due_at = None  # no due time while the clock waits for the beneficiary
        if step.type == "InfoProvided":
            view.question = None
        if step.details.get("new_due_at") is not None:
            view.due_at = step.details["new_due_at"]  # past due: the date promised in the apology
    return view
