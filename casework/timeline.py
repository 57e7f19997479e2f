"""Each case's timeline, as officers and auditors read it on the case page: one row per event of the case, with
when, who (an officer, a portal, or the system), whether the beneficiary sees it, and what of it is shown.

Folded from the case log like the queue (casework's own events as it emits them); a row, once written, never
changes. The request's contact details are not kept here: the page has no use for them.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from contracts import (
    AnswerOverdue,
    CaseAssigned,
    CaseClaimed,
    CaseReleased,
    Envelope,
    Escalated,
    Event,
    IdentityRevealed,
    InfoProvided,
    InfoRequested,
    NoteAdded,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    SlaWarning,
    TransferRefused,
    TransferRequested,
)
from services.projection import Row, of_the_case_log

metadata = MetaData()

timeline = Table(
    "timeline",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("type", Text, nullable=False),
    Column("actor", Text),  # an officer's username, `portal:NAME`, or None for the system
    Column("public", Boolean, nullable=False),  # the beneficiary is told of it
    Column("data", JSONB, nullable=False),
)

SHOWN: dict[type[Event], tuple[bool, tuple[str, ...], Callable[[Any], str | None]]] = {
    RequestSubmitted: (True, ("portal", "account_id", "subject_id", "subject_relation", "section", "sub_service",
                              "description", "attachments", "language", "channels"),
                       lambda e: f"portal:{e.portal}"),
    Routed: (True, ("department", "rule", "due_at", "flagged", "transferred_from"), lambda e: None),
    TransferRequested: (False, ("from_department", "to_department", "reason"), lambda e: e.officer_id),
    TransferRefused: (False, ("to_department", "reason"), lambda e: None),
    InfoRequested: (True, ("question",), lambda e: e.officer_id),
    InfoProvided: (True, ("answer", "attachments"), lambda e: "beneficiary"),
    SlaPaused: (False, ("remaining_seconds", "answer_due_at"), lambda e: None),
    SlaResumed: (True, ("due_at",), lambda e: None),
    SlaWarning: (False, ("due_at", "share"), lambda e: None),
    SlaBreached: (True, ("due_at", "new_due_at"), lambda e: None),
    AnswerOverdue: (False, ("answer_due_at",), lambda e: None),
    Escalated: (False, ("due_at",), lambda e: None),
    CaseClaimed: (False, ("officer_id",), lambda e: e.officer_id),
    CaseAssigned: (False, ("officer_id",), lambda e: e.assigned_by),
    CaseReleased: (False, ("officer_id",), lambda e: e.released_by),
    NoteAdded: (False, ("note",), lambda e: e.officer_id),
    IdentityRevealed: (False, ("fields", "reason"), lambda e: e.officer_id),
    Resolved: (True, ("outcome", "rejection_reason", "public_reply"), lambda e: e.officer_id),
}
"""Per event type: whether the beneficiary is told of it, the fields the page shows, and who acted."""


def _entry(row: Row | None, envelope: Envelope, event: Any) -> Row:
    public, fields, actor = SHOWN[type(event)]
    return row or dict(event_id=envelope.event_id, case_id=envelope.case_id, at=envelope.occurred_at,
                       type=envelope.type, actor=actor(event), public=public,
                       data=event.model_dump(mode="json", include=set(fields)))


TIMELINE = of_the_case_log(timeline, dict.fromkeys(SHOWN, _entry), key=lambda envelope: (envelope.event_id,),
                           write_once=True)
