"""Officers' queue.

Revision ID: casework_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("section", sa.Text),
        sa.Column("sub_service", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("routed_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("correlation_id", sa.Uuid),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("queue_by_department", "queue", ["department", "status"])
