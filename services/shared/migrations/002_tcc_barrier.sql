-- Up Migration
-- The TCC barrier: one row per (global transaction, branch, operation), written in the same local
-- transaction as the business change. A cancel that finds no try also writes the 'try' row, with
-- origin 'cancel', so that a try arriving later is refused instead of freezing forever.
CREATE TABLE tcc_barrier (
  gid text NOT NULL,
  branch_id text NOT NULL,
  op text NOT NULL CHECK (op IN ('try', 'confirm', 'cancel')),
  origin text NOT NULL CHECK (origin IN ('try', 'confirm', 'cancel')),
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (gid, branch_id, op)
);

-- Down Migration
DROP TABLE tcc_barrier;
