-- Up Migration
-- Domain events of the inventory (contracts/events.ts), like the order's and the wallet's outboxes.
-- stock.changed is written by a trigger on every change of a stock row, so no code path that
-- moves stock (reservations, sales, returns, TCC freezes, flash sales, restocks) can forget it,
-- and it is always in the transaction of the change.
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

-- The event as contracts/events.ts stockChangedV1 has it; the subject as eventSubject() makes it
-- (a "." in a SKU is "%2E" in the subject).
CREATE FUNCTION stock_changed_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  id uuid := gen_random_uuid();
BEGIN
  INSERT INTO inventory.events_outbox (event_id, subject, event) VALUES (
    id,
    'shop.stock.' || replace(NEW.sku, '.', '%2E') || '.stock.changed',
    jsonb_build_object(
      'id', id,
      'type', 'stock.changed',
      'version', 1,
      'aggregateId', NEW.sku,
      'occurredAt', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'data', jsonb_build_object(
        'sku', NEW.sku, 'available', NEW.available, 'reserved', NEW.reserved, 'frozen', NEW.frozen,
        'sold', NEW.sold, 'stocked', NEW.stocked
      )
    )
  );
  RETURN NEW;
END $$;
CREATE TRIGGER stock_changed AFTER INSERT OR UPDATE OF available, reserved, frozen, sold, stocked ON inventory.stock
  FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION stock_changed_event();

-- Down Migration
DROP TRIGGER stock_changed ON inventory.stock;
DROP FUNCTION stock_changed_event();
DROP TABLE events_outbox;
DROP FUNCTION events_outbox_notify();
