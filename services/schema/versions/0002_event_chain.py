"""Every stored event carries the hash of its canonical content and its stream's chain hash (`services.integrity`):
the database chains each insert to its predecessor, which the contiguity check already looked up.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from sqlalchemy import text

from services.integrity import chained, content_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        ALTER TABLE event_store ADD COLUMN content_hash bytea, ADD COLUMN previous_hash bytea,
                                ADD COLUMN chain_hash bytea;
    """)
    _backfill()
    op.execute("""
        ALTER TABLE event_store ALTER COLUMN content_hash SET NOT NULL, ALTER COLUMN previous_hash SET NOT NULL,
            ALTER COLUMN chain_hash SET NOT NULL,
            ADD CONSTRAINT event_store_hash_lengths CHECK (octet_length(content_hash) = 32);

        -- A stream has no holes (sequence n+1 follows n, whatever expected version a writer claimed), and each
        -- event is chained to the one before it: chain_hash = sha256(previous chain_hash || content_hash).
        CREATE OR REPLACE FUNCTION tawasul_contiguous() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            previous bytea;
        BEGIN
            IF NEW.sequence = 1 THEN
                previous := '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            ELSE
                SELECT chain_hash INTO previous FROM event_store
                    WHERE stream = NEW.stream AND sequence = NEW.sequence - 1;
                IF previous IS NULL THEN
                    RAISE EXCEPTION 'stream % has no sequence % before %', NEW.stream, NEW.sequence - 1, NEW.sequence
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
            END IF;
            NEW.previous_hash := previous;
            NEW.chain_hash := sha256(previous || NEW.content_hash);
            RETURN NEW;
        END $$;
    """)


def _backfill() -> None:
    """The hashes of the events stored before this revision, stream by stream (the append-only guard is lifted
    for this transaction alone)."""
    bind = op.get_bind()
    op.execute("ALTER TABLE event_store DISABLE TRIGGER event_store_no_update_delete")
    rows = bind.execute(text("SELECT position, stream, envelope FROM event_store ORDER BY stream, sequence"))
    stream, head, updates = None, None, []
    for position, row_stream, envelope in rows:
        if row_stream != stream:
            stream, head = row_stream, None
        content = content_hash(row_stream, envelope)
        chain = chained(head, content)
        updates.append({"position": position, "content": content, "previous": head or bytes(32), "chain": chain})
        head = chain
    if updates:
        bind.execute(text("UPDATE event_store SET content_hash = :content, previous_hash = :previous, "
                          "chain_hash = :chain WHERE position = :position"), updates)
    op.execute("ALTER TABLE event_store ENABLE TRIGGER event_store_no_update_delete")


def downgrade() -> None:
    op.execute("""
        CREATE OR REPLACE FUNCTION tawasul_contiguous() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.sequence > 1 AND NOT EXISTS (
                SELECT 1 FROM event_store WHERE stream = NEW.stream AND sequence = NEW.sequence - 1
            ) THEN
                RAISE EXCEPTION 'stream % has no sequence % before %', NEW.stream, NEW.sequence - 1, NEW.sequence
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$;
        ALTER TABLE event_store DROP CONSTRAINT event_store_hash_lengths,
            DROP COLUMN content_hash, DROP COLUMN previous_hash, DROP COLUMN chain_hash;
    """)
