-- Up Migration
-- Stored balance customers can pay with. TCC: Try moves balance to frozen, Confirm spends the
-- frozen amount, Cancel returns it. Neither column can go negative.
ALTER TABLE accounts
  ADD COLUMN balance_cents bigint NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
  ADD COLUMN frozen_cents bigint NOT NULL DEFAULT 0 CHECK (frozen_cents >= 0),
  ADD COLUMN spent_cents bigint NOT NULL DEFAULT 0 CHECK (spent_cents >= 0);

CREATE TABLE tcc_debits (
  gid text NOT NULL,
  branch_id text NOT NULL,
  customer_id text NOT NULL REFERENCES accounts,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  PRIMARY KEY (gid, branch_id)
);

-- Down Migration
DROP TABLE tcc_debits;
ALTER TABLE accounts DROP COLUMN spent_cents, DROP COLUMN frozen_cents, DROP COLUMN balance_cents;
