-- Up Migration
-- Every money and points column holds at most maxMinorUnits (10^15, contracts/fields.ts), the bound
-- the wire accepts, so every stored value reads back exactly as a JS number. A write past it fails
-- the CHECK and changes nothing (the HTTP layer answers 422 AmountLimit). Revocations are entries
-- with negative points, bounded the same way.
ALTER TABLE accounts
  ADD CONSTRAINT balance_points_within_bound CHECK (balance_points <= 1000000000000000),
  ADD CONSTRAINT debt_points_within_bound CHECK (debt_points <= 1000000000000000),
  ADD CONSTRAINT balance_cents_within_bound CHECK (balance_cents <= 1000000000000000),
  ADD CONSTRAINT frozen_cents_within_bound CHECK (frozen_cents <= 1000000000000000),
  ADD CONSTRAINT spent_cents_within_bound CHECK (spent_cents <= 1000000000000000);
ALTER TABLE point_entries ADD CONSTRAINT points_within_bound CHECK (abs(points) <= 1000000000000000);
ALTER TABLE tcc_debits
  ADD CONSTRAINT amount_cents_within_bound CHECK (amount_cents <= 1000000000000000);

-- Down Migration
ALTER TABLE tcc_debits DROP CONSTRAINT amount_cents_within_bound;
ALTER TABLE point_entries DROP CONSTRAINT points_within_bound;
ALTER TABLE accounts
  DROP CONSTRAINT balance_points_within_bound,
  DROP CONSTRAINT debt_points_within_bound,
  DROP CONSTRAINT balance_cents_within_bound,
  DROP CONSTRAINT frozen_cents_within_bound,
  DROP CONSTRAINT spent_cents_within_bound;
