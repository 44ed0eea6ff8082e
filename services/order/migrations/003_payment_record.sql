-- Up Migration
-- When an order was paid and how much of it was charged to the card (the rest came from the
-- wallet), so reconciliation can compare it with the gateway's statement.
ALTER TABLE orders ADD COLUMN paid_at timestamptz, ADD COLUMN card_cents bigint CHECK (card_cents >= 0);
UPDATE orders SET paid_at = updated_at, card_cents = paid_cents WHERE status = 'PAID';
ALTER TABLE orders ADD CONSTRAINT paid_record CHECK ((status = 'PAID') = (paid_at IS NOT NULL AND card_cents IS NOT NULL));
CREATE INDEX orders_by_paid_at ON orders (paid_at) WHERE paid_at IS NOT NULL;

-- Down Migration
ALTER TABLE orders DROP COLUMN paid_at, DROP COLUMN card_cents;
