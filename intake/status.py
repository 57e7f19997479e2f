"""A request's public status, folded from its public history: what a beneficiary may see, nothing more."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from contracts import Event, RequestSubmitted, Resolved, Routed

Status = Literal["submitted", "routed", "in_progress", "information_requested", "resolved"]

PUBLIC: dict[type[Event], tuple[str, ...]] = {
    RequestSubmitted: (),
    Routed: ("department", "due_at"),
    Resolved: ("outcome", "public_reply"),
}
"""Which fields of each event a beneficiary may see; no officer ids, rules or internal notes."""

STATUS_AFTER: dict[str, Status] = {
    "RequestSubmitted": "submitted",
    "Routed": "routed",
    "Resolved": "resolved",
}


def public_part(event: Event) -> dict[str, Any]:
    return event.model_dump(mode="json", include=set(PUBLIC[type(event)]))


class Step(BaseModel):
    type: str
    at: datetime
    details: dict[str, Any]


class RequestStatus(BaseModel):
    model_config = ConfigDict(validate_assignment=True)

    tracking_number: str
    section: str
    sub_service: str
    submitted_at: datetime
    status: Status
    department: str | None = None
    due_at: datetime | None = None
    outcome: Literal["completed", "declined"] | None = None
    public_reply: str | None = None
    history: list[Step]


def fold(
    tracking_number: str, section: str, sub_service: str, submitted_at: datetime, history: Sequence[Step]
) -> RequestStatus:
    """The status after `history` (in the order it happened); a resolved request stays resolved."""
    view = RequestStatus(tracking_number=tracking_number, section=section, sub_service=sub_service,
                         submitted_at=submitted_at, status="submitted", history=list(history))
    for step in history:
        if view.status == "resolved":
            break
        view.status = STATUS_AFTER.get(step.type, view.status)
        for field in ("department", "due_at", "outcome", "public_reply"):
            if step.details.get(field) is not None:
                setattr(view, field, step.details[field])
    return view
