"""Users who work cases, and the append-only record of every change to them.

Revision ID: casework_0003
Revises: casework_0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "casework_0003"
down_revision = "casework_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("department", sa.Text),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("role IN ('officer', 'supervisor', 'auditor', 'admin')", name="users_role"),
        sa.CheckConstraint("(role IN ('officer', 'supervisor')) = (department IS NOT NULL)", name="users_department"),
    )
    op.create_table(
        "user_changes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("change", sa.Text, nullable=False),
        sa.Column("details", JSONB, nullable=False, server_default="{}"),
    )
    op.create_index("user_changes_by_user", "user_changes", ["username", "id"])
    op.execute("""
        CREATE FUNCTION casework_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
        END $$;
        CREATE TRIGGER user_changes_no_update_delete BEFORE UPDATE OR DELETE ON user_changes
            FOR EACH ROW EXECUTE FUNCTION casework_append_only();
        CREATE TRIGGER user_changes_no_truncate BEFORE TRUNCATE ON user_changes
            FOR EACH STATEMENT EXECUTE FUNCTION casework_append_only();
    """)


def downgrade() -> None:
    op.drop_table("user_changes")
    op.drop_table("users")
    op.execute("DROP FUNCTION casework_append_only()")
