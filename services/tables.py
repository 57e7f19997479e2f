"""SQLAlchemy Core views of the runtime tables (their DDL lives in the `schema` migrations)."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

event_store = Table(
    "event_store",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("stream", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("envelope", JSONB, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("content_hash", LargeBinary, nullable=False),  # `services.integrity`; the chain is the database's
)

outbox = Table("outbox", metadata, Column("position", BigInteger, primary_key=True))

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("message_id", Uuid, primary_key=True),
)
