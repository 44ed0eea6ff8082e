-- Up Migration
-- The workflow a refund's callback goes to (a refund saga), when not the charge's own.
ALTER TABLE refunds ADD COLUMN reference text;

-- Down Migration
ALTER TABLE refunds DROP COLUMN reference;
