"""Casework's read model: the officers' queue, one row per case."""

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid

metadata = MetaData()

queue = Table(
    "queue",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("section", Text),
    Column("sub_service", Text),
    Column("language", Text),
    Column("department", Text),
    Column("status", Text, nullable=False),  # submitted | open | awaiting_information | resolved
    Column("outcome", Text),
    Column("submitted_at", DateTime(timezone=True)),
    Column("routed_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Column("correlation_id", Uuid),
    Column("version", Integer, nullable=False, server_default="0"),
)
