"""The store's Merkle tree (`services.merkle`): a queue of events to seal, filled as they are stored; the leaves
in the order they were sealed; the tree's head (size and frontier); and the signed checkpoints.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE seal_queue (position bigint PRIMARY KEY REFERENCES event_store (position));
        CREATE FUNCTION tawasul_seal_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO seal_queue (position) VALUES (NEW.position);
            RETURN NULL;
        END $$;
        CREATE TRIGGER event_store_seal_enqueue AFTER INSERT ON event_store
            FOR EACH ROW EXECUTE FUNCTION tawasul_seal_enqueue();
        INSERT INTO seal_queue (position) SELECT position FROM event_store;

        CREATE TABLE merkle_leaves (
            index     bigint PRIMARY KEY CHECK (index >= 0),
            position  bigint NOT NULL UNIQUE,
            leaf_hash bytea  NOT NULL CHECK (octet_length(leaf_hash) = 32)
        );
        CREATE TABLE merkle_head (
            only_one  boolean PRIMARY KEY DEFAULT true CHECK (only_one),
            size      bigint  NOT NULL,
            frontier  bytea[] NOT NULL
        );
        INSERT INTO merkle_head (size, frontier) VALUES (0, '{}');
        CREATE TABLE merkle_checkpoints (
            size       bigint      PRIMARY KEY,
            root_hash  bytea       NOT NULL,
            signed_at  timestamptz NOT NULL,
            public_key bytea       NOT NULL,
            signature  bytea       NOT NULL
        );
        CREATE TRIGGER merkle_leaves_append_only BEFORE UPDATE OR DELETE ON merkle_leaves
            FOR EACH ROW EXECUTE FUNCTION tawasul_append_only();
        CREATE TRIGGER merkle_checkpoints_append_only BEFORE UPDATE OR DELETE ON merkle_checkpoints
            FOR EACH ROW EXECUTE FUNCTION tawasul_append_only();
    """)


def downgrade() -> None:
    op.execute("""
        DROP TABLE merkle_checkpoints; DROP TABLE merkle_head; DROP TABLE merkle_leaves;
        DROP TRIGGER event_store_seal_enqueue ON event_store; DROP FUNCTION tawasul_seal_enqueue();
        DROP TABLE seal_queue;
    """)
