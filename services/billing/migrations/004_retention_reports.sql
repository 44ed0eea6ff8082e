-- Up Migration
-- Every retention run's report: what it removed, per service and table.
CREATE TABLE retention_reports (
  report_id text PRIMARY KEY,
  report jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retention_reports_latest ON retention_reports (created_at DESC);

-- Down Migration
DROP TABLE retention_reports;
