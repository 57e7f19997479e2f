"""Intake's own tables: answered submissions, stored attachments, the registry's links, portal keys,
and the public history of each request that status lookups read."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

tracking_serial = Sequence("tracking_serial", metadata=metadata)

submissions = Table(
    "submissions",
    metadata,
    Column("submission_id", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("status", Text, nullable=False),  # accepted | rejected
    Column("tracking_number", Text, unique=True),
    Column("reasons", JSONB),  # the rejection's reasons, so a repeat gets the same answer
    Column("answered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("content_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary),  # None when the bytes live in the filesystem store
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

links = Table(
    "links",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("relation", Text, nullable=False),
    Column("nationality", Text, nullable=False),
    Column("linked", Boolean, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Text, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_hash", Text, primary_key=True),
    Column("principal", Text, nullable=False),  # a portal's name, or an officer's id
    Column("role", Text, nullable=False),  # portal | officer
    Column("label", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)

requests = Table(
    "requests",
    metadata,
    Column("tracking_number", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("sub_service", Text, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("attachments", JSONB, nullable=False),  # every file of the request, its answers' too
    Column("correlation_id", Uuid, nullable=False),
)

request_history = Table(
    "request_history",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("tracking_number", Text, nullable=False, index=True),
    Column("type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", JSONB, nullable=False),  # the public part of the event only
)
