"""Intake's own tables: every submission it has answered, and the serial behind tracking numbers."""

from sqlalchemy import Column, DateTime, MetaData, Sequence, Table, Text, func

metadata = MetaData()

tracking_serial = Sequence("tracking_serial", metadata=metadata)

submissions = Table(
    "submissions",
    metadata,
    Column("submission_id", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("status", Text, nullable=False),  # accepted | rejected
    Column("tracking_number", Text, unique=True),
    Column("answered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
