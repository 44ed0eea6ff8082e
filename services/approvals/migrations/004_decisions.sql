-- Up Migration
-- Each approval request's final decision, once, and the approvals service's events outbox
-- (contracts/events.ts approval.decided), written in the same transaction.
CREATE TABLE decisions (
  request_id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('refund', 'purchase')),
  status text NOT NULL CHECK (status IN ('APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED')),
  decided_by text NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents BETWEEN 0 AND 1000000000000000),
  currency text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events_outbox (
  seq bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  subject text NOT NULL,
  event jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX events_outbox_unpublished ON events_outbox (seq) WHERE published_at IS NULL;

CREATE FUNCTION events_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('events_outbox', TG_TABLE_SCHEMA);
  RETURN NEW;
END $$;
CREATE TRIGGER events_outbox_notify AFTER INSERT ON events_outbox FOR EACH ROW EXECUTE FUNCTION events_outbox_notify();

-- Down Migration
DROP TABLE events_outbox;
DROP FUNCTION events_outbox_notify();
DROP TABLE decisions;
