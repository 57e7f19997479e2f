"""What the supervisors' dashboard reads, each figure from an index and none from a scan of every case: a
department's open cases (by status, officer and the time they were routed), the cases resolved in a window (with
their due time) and the cases whose due time was breached in a window (with their section and sub-service) — per
department, and for an auditor's view of every department.

Revision ID: casework_0007
Revises: casework_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0007"
down_revision = "casework_0006"
branch_labels = None
depends_on = None

OPEN = sa.text("status <> 'resolved' AND submitted_at IS NOT NULL")
INDEXES = [
    ("queue_open_by_department", ["department", "status", "assignee", "routed_at"], [], OPEN),
    ("queue_resolved_by_department", ["department", "resolved_at"], ["due_at"], sa.text("resolved_at IS NOT NULL")),
    ("queue_resolved", ["resolved_at"], ["due_at"], sa.text("resolved_at IS NOT NULL")),
    ("queue_breached_by_department", ["department", "breached_due_at"], ["section", "sub_service"],
     sa.text("breached_due_at IS NOT NULL")),
    ("queue_breached", ["breached_due_at"], ["section", "sub_service"], sa.text("breached_due_at IS NOT NULL")),
]
"""(name, key columns, columns carried for an index-only scan, which rows): partial indexes, so a case is in the
resolved or breached ones only once it is."""


def upgrade() -> None:
    for name, columns, carried, rows in INDEXES:
        op.create_index(name, "queue", columns, postgresql_include=carried, postgresql_where=rows)


def downgrade() -> None:
    for name, *_ in reversed(INDEXES):
        op.drop_index(name, table_name="queue")
