"""Due times on the queue.

Revision ID: casework_0002
Revises: casework_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0002"
down_revision = "casework_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("queue", sa.Column("due_at", sa.DateTime(timezone=True)))
