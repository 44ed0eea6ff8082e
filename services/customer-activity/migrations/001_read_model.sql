-- Up Migration
-- The customer-activity read model, built from domain events only. The inbox holds every event id
-- applied, in the same transaction as its change, so a redelivered event is applied once.
CREATE TABLE inbox (
  event_id uuid PRIMARY KEY,
  stream_seq bigint NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE customers (
  customer_id text PRIMARY KEY,
  orders_placed integer NOT NULL DEFAULT 0,
  orders_paid integer NOT NULL DEFAULT 0,
  orders_cancelled integer NOT NULL DEFAULT 0,
  paid_cents bigint NOT NULL DEFAULT 0,
  refunded_cents bigint NOT NULL DEFAULT 0,
  points bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE customers;
DROP TABLE inbox;
