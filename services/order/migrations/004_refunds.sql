-- Up Migration
-- Refunds of a paid order: each refund id once, never more than was charged to the card. The
-- order is PARTIALLY_REFUNDED until all of it came back, then REFUNDED.
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_status_check;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS paid_record;
ALTER TABLE orders
  ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
  ADD CONSTRAINT order_status CHECK (status IN ('PENDING', 'PAID', 'PARTIALLY_REFUNDED', 'REFUNDED', 'CANCELLED')),
  ADD CONSTRAINT paid_record CHECK (
    (status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')) = (paid_at IS NOT NULL AND card_cents IS NOT NULL)),
  ADD CONSTRAINT refunds_within_card CHECK (refunded_cents <= coalesce(card_cents, 0));
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_check1;
ALTER TABLE orders ADD CONSTRAINT paid_has_charge CHECK (
  status NOT IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') OR (charge_id IS NOT NULL AND paid_cents IS NOT NULL));
CREATE TABLE order_refunds (
  refund_id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE order_refunds;
ALTER TABLE orders DROP COLUMN refunded_cents;
