"""Routing's read model: each case it has routed, and where."""

from sqlalchemy import Column, DateTime, MetaData, Table, Text

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
)
