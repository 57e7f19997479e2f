"""Each request remembers the portal it came through: only that portal's key may read or answer it. And a
submission id answered as unreadable is taken, like any answered id (the first answer stands).

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
    op.execute(
        """
        INSERT INTO submissions (submission_id, fingerprint, status, reasons)
        SELECT e.key, 'unreadable:unknown', 'rejected', e.envelope->'data'->'reasons'
        FROM event_store AS e
        WHERE e.type = 'SubmissionRejected'
          AND NOT EXISTS (SELECT 1 FROM submissions AS s WHERE s.submission_id = e.key)
        ON CONFLICT DO NOTHING
        """
    )
