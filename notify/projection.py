"""Notify's tables: who to tell and how (per case), every update heard of, and the sending ledger.

Updates and recipients are recorded as they come and notifications derived from both, so the
order in which they arrive does not matter (after a broker loss, each service's relay
republishes on its own, and a case's `Routed` may arrive before its `RequestSubmitted`).
`notifications` is the live ledger, one row per (update, channel), and `attempts` holds every
try; a rebuild of the read model (`recipients`, `updates`) never touches them, so it sends nothing.
"""

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

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
