-- Up Migration
-- Items of a paid order sent back: they leave the reservation (reserved → available), once per
-- return id, never more than were reserved.
ALTER TABLE reservation_lines
  ADD COLUMN returned integer NOT NULL DEFAULT 0 CHECK (returned >= 0),
  ADD CONSTRAINT returned_within_line CHECK (returned <= quantity);
CREATE TABLE returns (
  return_id text PRIMARY KEY,
  reservation_id text NOT NULL REFERENCES reservations,
  items jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE returns;
ALTER TABLE reservation_lines DROP COLUMN returned;
