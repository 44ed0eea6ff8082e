-- Up Migration
-- Every money and points column holds at most maxMinorUnits (10^15, contracts/fields.ts), the bound
-- the wire accepts, so every stored value reads back exactly as a JS number. A write past it fails
-- the CHECK and changes nothing (the HTTP layer answers 422 AmountLimit).
ALTER TABLE orders
  ADD CONSTRAINT subtotal_cents_within_bound CHECK (subtotal_cents <= 1000000000000000),
  ADD CONSTRAINT paid_cents_within_bound CHECK (paid_cents <= 1000000000000000),
  ADD CONSTRAINT card_cents_within_bound CHECK (card_cents <= 1000000000000000),
  ADD CONSTRAINT refunded_cents_within_bound CHECK (refunded_cents <= 1000000000000000);
ALTER TABLE order_refunds
  ADD CONSTRAINT amount_cents_within_bound CHECK (amount_cents <= 1000000000000000);

-- Down Migration
ALTER TABLE order_refunds DROP CONSTRAINT amount_cents_within_bound;
ALTER TABLE orders
  DROP CONSTRAINT subtotal_cents_within_bound,
  DROP CONSTRAINT paid_cents_within_bound,
  DROP CONSTRAINT card_cents_within_bound,
  DROP CONSTRAINT refunded_cents_within_bound;
