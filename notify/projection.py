"""Notify's read model: who to tell and how (per case), every update heard of, one notification per (event, channel).

Updates and recipients are recorded as they come and notifications derived from both, so the
order in which they arrive does not matter (after a broker loss, each service's relay
republishes on its own, and a case's `Routed` may arrive before its `RequestSubmitted`).
"""

from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY

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
)

notifications = Table(
    "notifications",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("channel", Text, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending (sending comes with the notify issue)
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
