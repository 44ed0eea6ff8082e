-- Up Migration
-- Every money and points column holds at most maxMinorUnits (10^15, contracts/fields.ts), the bound
-- the wire accepts, so every stored value reads back exactly as a JS number. A write past it fails
-- the CHECK and changes nothing (the HTTP layer answers 422 AmountLimit).
ALTER TABLE budgets
  ADD CONSTRAINT total_cents_within_bound CHECK (total_cents <= 1000000000000000),
  ADD CONSTRAINT held_cents_within_bound CHECK (held_cents <= 1000000000000000),
  ADD CONSTRAINT committed_cents_within_bound CHECK (committed_cents <= 1000000000000000);
ALTER TABLE holds
  ADD CONSTRAINT amount_cents_within_bound CHECK (amount_cents <= 1000000000000000);

-- Down Migration
ALTER TABLE holds DROP CONSTRAINT amount_cents_within_bound;
ALTER TABLE budgets
  DROP CONSTRAINT total_cents_within_bound,
  DROP CONSTRAINT held_cents_within_bound,
  DROP CONSTRAINT committed_cents_within_bound;
