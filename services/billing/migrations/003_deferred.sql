-- Up Migration
-- Orders a reconciliation run left alone because their workflow still decided (a pending charge,
-- a saga still running or waiting for an operator): every later run looks at them again until one
-- can classify them, whatever its window.
CREATE TABLE reconciliation_deferred (
  order_id text PRIMARY KEY,
  report_id text NOT NULL,
  since timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE reconciliation_deferred;
