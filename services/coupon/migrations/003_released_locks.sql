-- Up Migration
-- A release that arrives before its lock leaves a tombstone, so the late lock is refused instead
-- of holding the coupon for an order that was already unwound.
CREATE TABLE released_locks (
  code text NOT NULL,
  order_id text NOT NULL,
  released_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code, order_id)
);

-- Down Migration
DROP TABLE released_locks;
