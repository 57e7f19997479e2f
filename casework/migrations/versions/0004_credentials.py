"""Credentials: signed-in sessions and users' API keys, each stored only as the SHA-256 of its secret.

Revision ID: casework_0004
Revises: casework_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0004"
down_revision = "casework_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("secret_hash", sa.Text, primary_key=True),
        sa.Column("username", sa.Text, sa.ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("sessions_by_user", "sessions", ["username"])
    op.create_table(
        "user_keys",
        sa.Column("secret_hash", sa.Text, primary_key=True),
        sa.Column("username", sa.Text, sa.ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("user_keys_by_user", "user_keys", ["username"])


def downgrade() -> None:
    op.drop_table("user_keys")
    op.drop_table("sessions")
