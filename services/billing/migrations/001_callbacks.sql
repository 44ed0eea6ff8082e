-- Up Migration
-- Every gateway callback we accepted (signature and timestamp checked), once per event id. Copies
-- of the same event only count up `copies`. `delivery` says what became of it: signalled to its
-- workflow, or orphaned because the workflow was closed or unknown; reconciliation settles the
-- orphans and sets `handled_at`.
CREATE TABLE callbacks (
  event_id text PRIMARY KEY,
  type text NOT NULL,
  charge_id text NOT NULL,
  order_id text NOT NULL,
  reference text NOT NULL,
  sequence integer NOT NULL,
  body jsonb NOT NULL,
  copies integer NOT NULL DEFAULT 1,
  received_at timestamptz NOT NULL DEFAULT now(),
  delivery text CHECK (delivery IN ('signalled', 'workflow-closed', 'workflow-not-found')),
  delivered_at timestamptz,
  handled_at timestamptz,
  handled_note text
);
CREATE INDEX callbacks_orphaned ON callbacks (received_at)
  WHERE delivery IN ('workflow-closed', 'workflow-not-found') AND handled_at IS NULL;
CREATE INDEX callbacks_by_charge ON callbacks (charge_id);

-- Down Migration
DROP TABLE callbacks;
