"""The clock's other deadlines: the SLA warning, and the answer an information request waits for.

Revision ID: routing_0004
Revises: routing_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "routing_0004"
down_revision = "routing_0003"
branch_labels = None
depends_on = None

COLUMNS = {"sla_seconds": sa.Integer, "warn_at": sa.DateTime(timezone=True),
           "warned_due_at": sa.DateTime(timezone=True), "answer_due_at": sa.DateTime(timezone=True),
           "answer_overdue_at": sa.DateTime(timezone=True)}


def upgrade() -> None:
    for name, type_ in COLUMNS.items():
        op.add_column("cases", sa.Column(name, type_))
    # The sweeps' own indexes: each finds its few due rows among many open ones.
    op.create_index("cases_warn_due", "cases", ["warn_at"], postgresql_where=sa.text("status = 'open'"))
    op.create_index("cases_answer_due", "cases", ["answer_due_at"], postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index("cases_answer_due")
    op.drop_index("cases_warn_due")
    for name in COLUMNS:
        op.drop_column("cases", name)
