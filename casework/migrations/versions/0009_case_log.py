"""Casework's copy of the case log, for the auditor's page: a row per event of every case, of every type, with its
envelope (contact details redacted).

Created empty: the events casework read before it are in its inbox already and are not read again, so after this
upgrade `tawasul rebuild casework` fills it from the log.

Revision ID: casework_0009
Revises: casework_0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "casework_0009"
down_revision = "casework_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_log",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("producer", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sa.Uuid, nullable=False),
        sa.Column("causation_id", sa.Uuid),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_index("case_log_by_case", "case_log", ["case_id", "occurred_at", "event_id"])


def downgrade() -> None:
    op.drop_table("case_log")
