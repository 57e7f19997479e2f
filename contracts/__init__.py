"""Tawasul's wire contracts: pydantic models only, no I/O. Every service imports them."""

from contracts.envelope import Envelope, new_event_id
from contracts.events import (
    CATALOG,
    AttachmentRef,
    Event,
    InfoProvided,
    InfoRequested,
    Reason,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaPaused,
    SlaResumed,
    SubmissionAccepted,
    SubmissionRejected,
    TransferRefused,
    TransferRequested,
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
    "InfoProvided",
    "InfoRequested",
    "PortalSubmission",
    "Reason",
    "RequestSubmitted",
    "Resolved",
    "Routed",
    "SlaPaused",
    "SlaResumed",
    "SubmissionAccepted",
    "SubmissionRejected",
    "TransferRefused",
    "TransferRequested",
    "UnknownEventType",
    "Upcasters",
    "decode_event",
    "latest_version",
    "new_event_id",
]
