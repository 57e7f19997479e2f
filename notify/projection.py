"""Notify's tables: who to tell and how (per case), every update heard of, and the sending ledger — and the
folds of the first two from the case log.

Updates and recipients are recorded as they come and notifications derived from both, so the
order in which they arrive does not matter (after a broker loss, each service's relay
republishes on its own, and a case's `Routed` may arrive before its `RequestSubmitted`).
`notifications` is the live ledger, one row per (update, channel), and `attempts` holds every
try; a rebuild of the read model (`recipients`, `updates`) never touches them, so it sends nothing.
"""

from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from contracts import Envelope, Event, InfoRequested, RequestSubmitted, Resolved, Routed, SlaBreached
from services.projection import Row, of_the_case_log

metadata = MetaData()

recipients = Table(
    "recipients",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("language", Text, nullable=False),
    Column("channels", ARRAY(Text), nullable=False),
    Column("email", Text),
    Column("mobile", Text),
)

updates = Table(
    "updates",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", JSONB, nullable=False),  # what the templates may show of the event
    Column("correlation_id", Uuid),
)

notifications = Table(
    "notifications",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("channel", Text, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending | sending | sent | failed | in_doubt
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("claimed_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("provider_message_id", Text),
    Column("last_error", Text),
)

attempts = Table(
    "attempts",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("channel", Text, primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),  # None: claimed, never handed to the provider
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", Text),
    Column("detail", Text),
    Column("provider_message_id", Text),
)


TOLD: dict[type[Event], tuple[str, ...]] = {
    RequestSubmitted: (),
    Routed: ("department", "department_names", "due_at"),
    InfoRequested: ("question",),
    Resolved: ("outcome", "rejection_reason", "public_reply"),
    SlaBreached: ("due_at", "new_due_at"),
}
"""The updates the beneficiary is told of, and what of each the templates may show (never an internal note)."""


def _recipient(row: Row | None, envelope: Envelope, event: RequestSubmitted) -> Row:
    return row or dict(case_id=envelope.case_id, language=event.language, channels=list(event.channels),
                       email=event.contact.email, mobile=event.contact.mobile)


def _update(row: Row | None, envelope: Envelope, event: Any) -> Row:
    return row or dict(event_id=envelope.event_id, case_id=envelope.case_id, event_type=envelope.type,
                       occurred_at=envelope.occurred_at, correlation_id=envelope.correlation_id,
                       data=event.model_dump(mode="json", include=set(TOLD[type(event)])))


RECIPIENTS = of_the_case_log(recipients, {RequestSubmitted: _recipient}, write_once=True)
"""Whom to tell of a case, in which language, on which channels."""
UPDATES = of_the_case_log(updates, dict.fromkeys(TOLD, _update), key=lambda envelope: (envelope.event_id,),
                          write_once=True)
"""Every update heard of, with only what the templates may show."""
