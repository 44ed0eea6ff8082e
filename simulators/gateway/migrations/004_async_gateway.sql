-- Up Migration
-- The simulator behaves like a real provider: a charge is created PENDING and settles later
-- (CAPTURED or FAILED), a pending charge can be voided, refunds are objects of their own, and every
-- change of state is announced by a signed callback from the `events` queue.
ALTER TABLE charges DROP CONSTRAINT IF EXISTS charges_status_check;
ALTER TABLE charges DROP CONSTRAINT IF EXISTS charges_check;
-- A provider does not know our orders: one order may be charged twice, and reconciliation finds it.
DROP INDEX IF EXISTS one_capture_per_order;
ALTER TABLE charges
  ADD COLUMN reference text,
  ADD COLUMN behaviour text NOT NULL DEFAULT 'success',
  ADD COLUMN failure_code text,
  ADD COLUMN settles_at timestamptz,
  ADD COLUMN captured_at timestamptz,
  ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0,
  ADD COLUMN sequence integer NOT NULL DEFAULT 1;
UPDATE charges SET reference = 'payment:' || order_id, captured_at = created_at, sequence = 2;
UPDATE charges SET refunded_cents = amount_cents, sequence = 3 WHERE status = 'REFUNDED';
ALTER TABLE charges
  ALTER COLUMN reference SET NOT NULL,
  ADD CONSTRAINT charge_status CHECK (status IN ('PENDING', 'CAPTURED', 'FAILED', 'VOIDED', 'REFUNDED')),
  ADD CONSTRAINT charge_captured_at CHECK ((status IN ('CAPTURED', 'REFUNDED')) = (captured_at IS NOT NULL)),
  ADD CONSTRAINT charge_failed CHECK ((status = 'FAILED') = (failure_code IS NOT NULL)),
  ADD CONSTRAINT charge_refunds CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents),
  ADD CONSTRAINT charge_refunded CHECK ((status = 'REFUNDED') = (refunded_cents = amount_cents AND captured_at IS NOT NULL));
CREATE INDEX charges_due ON charges (settles_at) WHERE status = 'PENDING';
CREATE INDEX charges_by_captured_at ON charges (captured_at) WHERE captured_at IS NOT NULL;

CREATE TABLE refunds (
  refund_id text PRIMARY KEY,
  charge_id text NOT NULL REFERENCES charges (charge_id),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED')),
  idempotency_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  settles_at timestamptz NOT NULL,
  settled_at timestamptz,
  CHECK ((status = 'SUCCEEDED') = (settled_at IS NOT NULL))
);
CREATE INDEX refunds_due ON refunds (settles_at) WHERE status = 'PENDING';
CREATE INDEX refunds_by_settled_at ON refunds (settled_at) WHERE settled_at IS NOT NULL;
-- Refunds of charges refunded before refunds had rows of their own.
INSERT INTO refunds (refund_id, charge_id, amount_cents, status, created_at, settles_at, settled_at)
  SELECT charge_id || ':refund', charge_id, amount_cents, 'SUCCEEDED', refunded_at, refunded_at, refunded_at
  FROM charges WHERE status = 'REFUNDED';

-- Outgoing callbacks: sent at `send_at` (`copies` times), retried with backoff until the receiver
-- answers 2xx or `attempts` runs out.
CREATE TABLE events (
  event_id text PRIMARY KEY,
  charge_id text NOT NULL REFERENCES charges (charge_id),
  body jsonb NOT NULL,
  send_at timestamptz NOT NULL,
  copies integer NOT NULL DEFAULT 1 CHECK (copies >= 1),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  given_up_at timestamptz,
  last_error text
);
CREATE INDEX events_due ON events (coalesce(next_attempt_at, send_at))
  WHERE delivered_at IS NULL AND given_up_at IS NULL;

-- Down Migration
DROP TABLE events;
DROP TABLE refunds;
