-- Up Migration
-- Department budgets: a hold is reserved when an internal request is submitted, committed when it
-- is approved, released when it is rejected, withdrawn or expires. Never more held and spent than
-- the budget.
CREATE TABLE budgets (
  department text PRIMARY KEY,
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  held_cents bigint NOT NULL DEFAULT 0 CHECK (held_cents >= 0),
  committed_cents bigint NOT NULL DEFAULT 0 CHECK (committed_cents >= 0),
  CHECK (held_cents + committed_cents <= total_cents)
);
CREATE TABLE holds (
  hold_id text PRIMARY KEY,
  department text REFERENCES budgets (department),
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  status text NOT NULL CHECK (status IN ('HELD', 'COMMITTED', 'RELEASED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The approvers' inbox: requests to decide, reminders, escalations, outcomes.
CREATE TABLE notifications (
  notification_id text PRIMARY KEY,
  recipient text NOT NULL,
  request_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('decide', 'reminder', 'escalated', 'outcome')),
  message text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_by_recipient ON notifications (recipient, created_at);

-- Down Migration
DROP TABLE notifications;
DROP TABLE holds;
DROP TABLE budgets;
