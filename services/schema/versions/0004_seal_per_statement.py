"""Events are queued for sealing once per insert statement (a transition table), not by a trigger per row.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        DROP TRIGGER event_store_seal_enqueue ON event_store;
        CREATE OR REPLACE FUNCTION tawasul_seal_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO seal_queue (position) SELECT position FROM appended;
            RETURN NULL;
        END $$;
        CREATE TRIGGER event_store_seal_enqueue AFTER INSERT ON event_store
            REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION tawasul_seal_enqueue();
    """)


def downgrade() -> None:
    op.execute("""
        DROP TRIGGER event_store_seal_enqueue ON event_store;
        CREATE OR REPLACE FUNCTION tawasul_seal_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO seal_queue (position) VALUES (NEW.position);
            RETURN NULL;
        END $$;
        CREATE TRIGGER event_store_seal_enqueue AFTER INSERT ON event_store
            FOR EACH ROW EXECUTE FUNCTION tawasul_seal_enqueue();
    """)
