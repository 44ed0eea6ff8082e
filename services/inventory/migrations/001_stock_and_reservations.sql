-- Up Migration
CREATE TABLE stock (
  sku text PRIMARY KEY CHECK (sku ~ '^[A-Za-z0-9._-]{1,64}$'),
  available integer NOT NULL CHECK (available >= 0),
  reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A reservation is created RESERVED by a reserve call, or RELEASED directly by a release that
-- arrived first: that tombstone makes a late reserve for the same id a refusal, not a leak.
CREATE TABLE reservations (
  reservation_id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  CHECK ((status = 'RELEASED') = (released_at IS NOT NULL))
);

CREATE TABLE reservation_lines (
  reservation_id text NOT NULL REFERENCES reservations ON DELETE CASCADE,
  sku text NOT NULL REFERENCES stock,
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (reservation_id, sku)
);

-- Down Migration
DROP TABLE reservation_lines;
DROP TABLE reservations;
DROP TABLE stock;
