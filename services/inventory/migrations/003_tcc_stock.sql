-- Up Migration
-- TCC: Try moves available to frozen, Confirm frozen to sold, Cancel frozen back to available.
-- The invariant lives in the schema: nothing negative, and every unit stocked is somewhere.
ALTER TABLE stock
  ADD COLUMN frozen integer NOT NULL DEFAULT 0 CHECK (frozen >= 0),
  ADD COLUMN sold integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
  ADD COLUMN stocked integer;
UPDATE stock SET stocked = available + reserved;
ALTER TABLE stock
  ALTER COLUMN stocked SET NOT NULL,
  ADD CONSTRAINT every_unit_accounted CHECK (available + reserved + frozen + sold = stocked);

CREATE TABLE tcc_lines (
  gid text NOT NULL,
  branch_id text NOT NULL,
  sku text NOT NULL REFERENCES stock,
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (gid, branch_id, sku)
);

-- Down Migration
DROP TABLE tcc_lines;
ALTER TABLE stock DROP CONSTRAINT every_unit_accounted, DROP COLUMN stocked, DROP COLUMN sold, DROP COLUMN frozen;
