"""The sending ledger: every notification's state and every attempt; the updates' public content.

Revision ID: notify_0002
Revises: notify_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "notify_0002"
down_revision = "notify_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("updates", sa.Column("data", JSONB, nullable=False, server_default="{}"))
    op.add_column("updates", sa.Column("correlation_id", sa.Uuid))
    op.add_column("notifications", sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.add_column("notifications", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False,
                                             server_default=sa.func.now()))
    op.add_column("notifications", sa.Column("claimed_at", sa.DateTime(timezone=True)))
    op.add_column("notifications", sa.Column("finished_at", sa.DateTime(timezone=True)))
    op.add_column("notifications", sa.Column("provider_message_id", sa.Text))
    op.add_column("notifications", sa.Column("last_error", sa.Text))
    op.create_check_constraint(
        "notifications_status", "notifications", "status IN ('pending', 'sending', 'sent', 'failed', 'in_doubt')"
    )
    op.create_index("notifications_due", "notifications", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("notifications_sending", "notifications", ["claimed_at"],
                    postgresql_where=sa.text("status = 'sending'"))
    op.create_index("notifications_in_doubt", "notifications", ["case_id"],
                    postgresql_where=sa.text("status = 'in_doubt'"))
    op.create_table(
        "attempts",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("attempt", sa.Integer, primary_key=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),  # NULL: claimed, never handed to the provider
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.Text),  # sent | temporary | permanent | in_doubt; NULL while in flight
        sa.Column("detail", sa.Text),
        sa.Column("provider_message_id", sa.Text),
    )
