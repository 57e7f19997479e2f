"""A case is known from its submission on, before it is routed (a rebuild folds the two events apart).

Revision ID: routing_0003
Revises: routing_0002
"""

from alembic import op

revision = "routing_0003"
down_revision = "routing_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("section", "sub_service", "department", "routed_at"):
        op.alter_column("cases", column, nullable=True)
