-- Up Migration
CREATE TABLE accounts (
  customer_id text PRIMARY KEY,
  balance_points bigint NOT NULL DEFAULT 0 CHECK (balance_points >= 0)
);
CREATE TABLE point_entries (
  entry_id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES accounts,
  order_id text NOT NULL,
  points bigint NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE point_entries;
DROP TABLE accounts;
