-- Up Migration
CREATE TABLE shipments (
  shipment_id text PRIMARY KEY,
  order_id text NOT NULL UNIQUE,
  items jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('CREATED', 'CANCELLED')),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE shipments;
