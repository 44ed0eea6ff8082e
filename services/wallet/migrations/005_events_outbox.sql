-- Up Migration
-- Domain events (contracts/events.ts), written in the same transaction as the change they tell of.
-- The event relay publishes each to NATS JetStream with Nats-Msg-Id = event_id and marks it
-- published only after the broker's ack; seq keeps the order they were written in.
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
