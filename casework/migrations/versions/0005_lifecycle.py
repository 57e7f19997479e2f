"""The queue knows each case's officer, its outcome's reason, its clock (paused, warned, breached, escalated) and
how many internal notes it has.

Revision ID: casework_0005
Revises: casework_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0005"
down_revision = "casework_0004"
branch_labels = None
depends_on = None

COLUMNS = {"assignee": sa.Text, "rejection_reason": sa.Text, "resolved_by": sa.Text,
           "paused_at": sa.DateTime(timezone=True), "answer_due_at": sa.DateTime(timezone=True),
           "warn_at": sa.DateTime(timezone=True), "warned_due_at": sa.DateTime(timezone=True),
           "breached_due_at": sa.DateTime(timezone=True), "escalated_due_at": sa.DateTime(timezone=True)}


def upgrade() -> None:
    for name, type_ in COLUMNS.items():
        op.add_column("queue", sa.Column(name, type_))
    op.add_column("queue", sa.Column("notes", sa.Integer, nullable=False, server_default="0"))
    # A department's open queue, the soonest due first: what every queue page reads.
    op.create_index("queue_by_department_due", "queue", ["department", "due_at", "case_id"],
                    postgresql_where=sa.text("status <> 'resolved' AND submitted_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("queue_by_department_due")
    for name in [*COLUMNS, "notes"]:
        op.drop_column("queue", name)
