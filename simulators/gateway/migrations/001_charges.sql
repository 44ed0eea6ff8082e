-- Up Migration
CREATE TABLE charges (
  charge_id text PRIMARY KEY,
  order_id text NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  currency char(3) NOT NULL,
  card_last4 char(4) NOT NULL,
  status text NOT NULL CHECK (status IN ('CAPTURED', 'REFUNDED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  refunded_at timestamptz,
  CHECK ((status = 'REFUNDED') = (refunded_at IS NOT NULL))
);
-- Defence in depth: whatever the callers do, an order is never captured twice.
CREATE UNIQUE INDEX one_capture_per_order ON charges (order_id) WHERE status = 'CAPTURED';

-- Down Migration
DROP TABLE charges;
