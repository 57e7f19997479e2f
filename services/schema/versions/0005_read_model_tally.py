"""What each read model has applied: a count and a digest of event ids, a row per transaction (`services.tally`).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE read_model_tally (
            projection text NOT NULL,
            applied bigint NOT NULL,
            digest numeric NOT NULL
        );
        CREATE INDEX read_model_tally_projection ON read_model_tally (projection);
    """)


def downgrade() -> None:
    op.execute("DROP TABLE read_model_tally")
