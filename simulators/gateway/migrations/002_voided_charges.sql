-- Up Migration
-- A refund that arrives before its capture (the capture was slow, the saga gave up and unwound)
-- leaves a tombstone: the late capture is then refused, so money is never taken after its undo.
CREATE TABLE voided_charges (
  charge_id text PRIMARY KEY,
  voided_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE voided_charges;
