"""Recipients, updates heard of, and pending notifications.

Revision ID: notify_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "notify_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recipients",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("channels", ARRAY(sa.Text), nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("mobile", sa.Text),
    )
    op.create_table(
        "updates",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("updates_by_case", "updates", ["case_id"])
    op.create_table(
        "notifications",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("notifications_by_case", "notifications", ["case_id"])
