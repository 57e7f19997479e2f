"""Each case's timeline: a row per event, for the case page.

Revision ID: casework_0006
Revises: casework_0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "casework_0006"
down_revision = "casework_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timeline",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_index("timeline_by_case", "timeline", ["case_id", "at", "event_id"])


def downgrade() -> None:
    op.drop_table("timeline")
