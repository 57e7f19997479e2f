"""Event store (append-only, enforced by triggers), outbox queue, consumer inbox.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE event_store (
            position     bigserial PRIMARY KEY,
            event_id     uuid        NOT NULL UNIQUE,
            stream       text        NOT NULL,
            sequence     integer     NOT NULL CHECK (sequence >= 1),
            topic        text        NOT NULL,
            key          text        NOT NULL,
            type         text        NOT NULL,
            version      integer     NOT NULL,
            occurred_at  timestamptz NOT NULL,
            envelope     jsonb       NOT NULL,
            headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
            recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
            UNIQUE (stream, sequence)
        );

        CREATE FUNCTION tawasul_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'event_store is append-only: % is not allowed', TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$;

        CREATE TRIGGER event_store_no_update_delete BEFORE UPDATE OR DELETE ON event_store
            FOR EACH ROW EXECUTE FUNCTION tawasul_append_only();
        CREATE TRIGGER event_store_no_truncate BEFORE TRUNCATE ON event_store
            FOR EACH STATEMENT EXECUTE FUNCTION tawasul_append_only();

        -- A stream has no holes: sequence n+1 follows n, whatever expected version a writer claimed.
        CREATE FUNCTION tawasul_contiguous() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.sequence > 1 AND NOT EXISTS (
                SELECT 1 FROM event_store WHERE stream = NEW.stream AND sequence = NEW.sequence - 1
            ) THEN
                RAISE EXCEPTION 'stream % has no sequence % before %', NEW.stream, NEW.sequence - 1, NEW.sequence
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER event_store_contiguous BEFORE INSERT ON event_store
            FOR EACH ROW EXECUTE FUNCTION tawasul_contiguous();

        -- The relay's queue: what is committed but not yet published. Kept apart from the
        -- append-only rows; a row appears only when its transaction commits, so a slow
        -- writer can never be skipped the way a "last published position" would skip it.
        CREATE TABLE outbox (
            position bigint PRIMARY KEY REFERENCES event_store (position)
        );

        CREATE FUNCTION tawasul_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO outbox (position) VALUES (NEW.position);
            RETURN NULL;
        END $$;
        CREATE TRIGGER event_store_enqueue AFTER INSERT ON event_store
            FOR EACH ROW EXECUTE FUNCTION tawasul_enqueue();

        CREATE FUNCTION tawasul_wake_relay() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('tawasul_outbox', '');
            RETURN NULL;
        END $$;
        CREATE TRIGGER outbox_wake_relay AFTER INSERT ON outbox
            FOR EACH STATEMENT EXECUTE FUNCTION tawasul_wake_relay();

        -- Messages a consumer has applied; written in the same transaction as its effects.
        CREATE TABLE inbox (
            consumer   text        NOT NULL,
            message_id uuid        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (consumer, message_id)
        );
        """
    )
