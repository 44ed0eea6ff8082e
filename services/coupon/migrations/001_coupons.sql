-- Up Migration
CREATE TABLE coupons (
  code text PRIMARY KEY,
  discount_cents bigint NOT NULL CHECK (discount_cents >= 0),
  status text NOT NULL CHECK (status IN ('AVAILABLE', 'LOCKED')),
  order_id text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'AVAILABLE') = (order_id IS NULL))
);

-- Down Migration
DROP TABLE coupons;
