"""Routing's read model: each case it has routed, where, by which rule, and its SLA clock."""

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Table, Text, Uuid

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("section", Text, nullable=False),
    Column("sub_service", Text, nullable=False),
    Column("department", Text, nullable=False),
    Column("status", Text, nullable=False),  # open | resolved
    Column("routed_at", DateTime(timezone=True), nullable=False),
    Column("rule", Text),
    Column("flagged", Boolean, nullable=False, server_default="false"),
    Column("submitted_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),  # None while the clock is paused
    Column("calendar_version", Text),
    Column("paused_at", DateTime(timezone=True)),
    Column("remaining_seconds", Integer),  # working time left when the clock paused
    Column("breached_due_at", DateTime(timezone=True)),  # the due time last reported as breached
    Column("correlation_id", Uuid),
)
