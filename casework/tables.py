"""The tables of the people who work cases: users, the append-only record of changes to them, their signed-in
sessions and their API keys (both kept as the SHA-256 of their secret)."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Identity, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("username", Text, primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("department", Text),
    Column("language", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
)

user_changes = Table(
    "user_changes",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("change", Text, nullable=False),
    Column("details", JSONB, nullable=False),
)

user_sessions = Table(
    "sessions",
    metadata,
    Column("secret_hash", Text, primary_key=True),
    Column("username", Text, ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

user_keys = Table(
    "user_keys",
    metadata,
    Column("secret_hash", Text, primary_key=True),
    Column("username", Text, ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
    Column("label", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)
