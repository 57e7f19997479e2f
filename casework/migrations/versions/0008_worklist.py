"""The worklist: the queue in its order (breached, warned, the rest; the soonest due first) read from one index,
a subject's ID number to search by, each case's allowance of working time, and who has a case open right now.

Revision ID: casework_0008
Revises: casework_0007
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0008"
down_revision = "casework_0007"
branch_labels = None
depends_on = None

OPEN = sa.text("status <> 'resolved' AND submitted_at IS NOT NULL")
URGENCY = sa.text("(CASE WHEN breached_due_at IS NOT NULL THEN 0 WHEN warned_due_at = due_at THEN 1 ELSE 2 END)")


def upgrade() -> None:
    op.add_column("queue", sa.Column("subject_id", sa.Text))
    op.add_column("queue", sa.Column("sla_seconds", sa.Integer))
    op.drop_index("queue_by_department_due", table_name="queue")
    op.create_index("queue_worklist", "queue", [sa.column("department"), URGENCY, sa.column("due_at"),
                                                sa.column("case_id")], postgresql_where=OPEN)
    op.create_index("queue_by_subject", "queue", ["subject_id"], postgresql_where=OPEN)
    op.create_table(
        "presence",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("typing", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("presence_by_time", "presence", ["seen_at"])


def downgrade() -> None:
    op.drop_table("presence")
    op.drop_index("queue_by_subject", table_name="queue")
    op.drop_index("queue_worklist", table_name="queue")
    op.create_index("queue_by_department_due", "queue", ["department", "due_at", "case_id"], postgresql_where=OPEN)
    op.drop_column("queue", "sla_seconds")
    op.drop_column("queue", "subject_id")
