-- Up Migration
-- The caller's idempotency key, so a caller that lost the response can ask what became of it.
ALTER TABLE charges ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX charges_by_idempotency_key ON charges (idempotency_key);
CREATE INDEX charges_by_created_at ON charges (created_at);
CREATE INDEX charges_by_refunded_at ON charges (refunded_at) WHERE refunded_at IS NOT NULL;

-- Down Migration
ALTER TABLE charges DROP COLUMN idempotency_key;
