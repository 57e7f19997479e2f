"""The SLA clock and decision provenance on routed cases.

Revision ID: routing_0002
Revises: routing_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "routing_0002"
down_revision = "routing_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("rule", sa.Text))
    op.add_column("cases", sa.Column("flagged", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("cases", sa.Column("submitted_at", sa.DateTime(timezone=True)))
    op.add_column("cases", sa.Column("due_at", sa.DateTime(timezone=True)))
    op.add_column("cases", sa.Column("calendar_version", sa.Text))
    op.add_column("cases", sa.Column("paused_at", sa.DateTime(timezone=True)))
    op.add_column("cases", sa.Column("remaining_seconds", sa.Integer))
    op.add_column("cases", sa.Column("breached_due_at", sa.DateTime(timezone=True)))
    op.add_column("cases", sa.Column("correlation_id", sa.Uuid))
    op.create_index("cases_running_clock", "cases", ["due_at"], postgresql_where=sa.text("status = 'open'"))
