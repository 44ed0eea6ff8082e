-- Up Migration
-- A flash sale of one SKU: the units it opened with, how many one buyer may hold, and how many keys
-- the Redis gate splits the remaining units over. The gate is a cache in front; these rows and the
-- stock row's constraints are the truth.
CREATE TABLE flash_sales (
  sku text PRIMARY KEY REFERENCES stock,
  units integer NOT NULL CHECK (units >= 0),
  per_buyer_limit integer NOT NULL CHECK (per_buyer_limit > 0),
  gate_shards integer NOT NULL CHECK (gate_shards BETWEEN 1 AND 64),
  opened_at timestamptz NOT NULL DEFAULT now()
);

-- The units each buyer holds (frozen or sold) in a sale: the database's own guard of the per-buyer
-- limit, whatever the gate admitted, and what the gate is rebuilt from.
CREATE TABLE flash_sale_buyers (
  sku text NOT NULL REFERENCES flash_sales ON DELETE CASCADE,
  buyer_id text NOT NULL,
  units integer NOT NULL CHECK (units >= 0),
  per_buyer_limit integer NOT NULL,
  PRIMARY KEY (sku, buyer_id),
  CONSTRAINT within_buyer_limit CHECK (units <= per_buyer_limit)
);

-- The buyer a frozen line is for, so that a cancel gives the buyer's share back.
ALTER TABLE tcc_lines ADD COLUMN buyer_id text;

-- Down Migration
ALTER TABLE tcc_lines DROP COLUMN buyer_id;
DROP TABLE flash_sale_buyers;
DROP TABLE flash_sales;
