-- Up Migration
-- Points revoked by a refund that the customer already spent: the balance stops at zero and the
-- rest is owed, to be settled from points earned later. A revocation is an entry with negative points.
ALTER TABLE accounts ADD COLUMN debt_points bigint NOT NULL DEFAULT 0 CHECK (debt_points >= 0);

-- Down Migration
ALTER TABLE accounts DROP COLUMN debt_points;
