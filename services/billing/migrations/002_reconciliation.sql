-- Up Migration
-- Every reconciliation run's report, and every finding once (by kind and subject), so a later run
-- can tell what is new from what an earlier run already reported.
CREATE TABLE reconciliation_reports (
  report_id text PRIMARY KEY,
  window_from timestamptz NOT NULL,
  window_to timestamptz NOT NULL,
  report jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reconciliation_reports_latest ON reconciliation_reports (created_at DESC);

CREATE TABLE reconciliation_findings (
  finding_key text PRIMARY KEY,
  kind text NOT NULL,
  order_id text NOT NULL,
  charge_id text,
  action text NOT NULL,
  first_report_id text NOT NULL REFERENCES reconciliation_reports (report_id) DEFERRABLE INITIALLY DEFERRED,
  first_seen_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE reconciliation_findings;
DROP TABLE reconciliation_reports;
