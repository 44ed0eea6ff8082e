-- Up Migration
CREATE TABLE orders (
  order_id text PRIMARY KEY,
  customer_id text NOT NULL,
  currency char(3) NOT NULL,
  items jsonb NOT NULL,
  subtotal_cents bigint NOT NULL CHECK (subtotal_cents >= 0),
  coupon_code text,
  status text NOT NULL CHECK (status IN ('PENDING', 'PAID', 'CANCELLED')),
  cancel_reason text,
  charge_id text,
  paid_cents bigint CHECK (paid_cents >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'CANCELLED' OR cancel_reason IS NOT NULL),
  CHECK (status <> 'PAID' OR (charge_id IS NOT NULL AND paid_cents IS NOT NULL))
);

-- Down Migration
DROP TABLE orders;
