-- Up Migration
-- Every money and points column holds at most maxMinorUnits (10^15, contracts/fields.ts), the bound
-- the wire accepts, so every stored value reads back exactly as a JS number. A write past it fails
-- the CHECK and changes nothing (the HTTP layer answers 422 AmountLimit).
ALTER TABLE charges
  ADD CONSTRAINT amount_cents_within_bound CHECK (amount_cents <= 1000000000000000),
  ADD CONSTRAINT refunded_cents_within_bound CHECK (refunded_cents <= 1000000000000000);
ALTER TABLE refunds
  ADD CONSTRAINT amount_cents_within_bound CHECK (amount_cents <= 1000000000000000);

-- Down Migration
ALTER TABLE refunds DROP CONSTRAINT amount_cents_within_bound;
ALTER TABLE charges
  DROP CONSTRAINT amount_cents_within_bound,
  DROP CONSTRAINT refunded_cents_within_bound;
