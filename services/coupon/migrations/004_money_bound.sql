-- Up Migration
-- Every money and points column holds at most maxMinorUnits (10^15, contracts/fields.ts), the bound
-- the wire accepts, so every stored value reads back exactly as a JS number. A write past it fails
-- the CHECK and changes nothing (the HTTP layer answers 422 AmountLimit).
ALTER TABLE coupons
  ADD CONSTRAINT discount_cents_within_bound CHECK (discount_cents <= 1000000000000000);

-- Down Migration
ALTER TABLE coupons DROP CONSTRAINT discount_cents_within_bound;
