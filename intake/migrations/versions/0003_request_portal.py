"""Each request remembers the portal it came through: only that portal's key may read or answer it.

Revision ID: intake_0003
Revises: intake_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0003"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("requests", sa.Column("portal", sa.Text))  # None on rows from before: `tawasul rebuild intake`
