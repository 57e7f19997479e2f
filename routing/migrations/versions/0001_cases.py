"""Routed cases.

Revision ID: routing_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "routing_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("section", sa.Text, nullable=False),
        sa.Column("sub_service", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("cases_open_by_department", "cases", ["department"], postgresql_where=sa.text("status = 'open'"))
