"""Tawasul's wire contracts: pydantic models only, no I/O. Every service imports them."""

from contracts.envelope import Envelope, new_event_id
from contracts.events import (
    CATALOG,
    AttachmentRef,
    Event,
    Reason,
    RequestSubmitted,
    Resolved,
    Routed,
    SubmissionAccepted,
    SubmissionRejected,
)
from contracts.submission import Attachment, Contact, PortalSubmission
from contracts.upcasting import (
    UPCASTERS,
    UnknownEventType,
    Upcasters,
    decode_event,
    latest_version,
)

__all__ = [
    "CATALOG",
    "UPCASTERS",
    "Attachment",
    "AttachmentRef",
    "Contact",
    "Envelope",
    "Event",
    "PortalSubmission",
    "Reason",
    "RequestSubmitted",
    "Resolved",
    "Routed",
    "SubmissionAccepted",
    "SubmissionRejected",
    "UnknownEventType",
    "Upcasters",
    "decode_event",
    "latest_version",
    "new_event_id",
]
