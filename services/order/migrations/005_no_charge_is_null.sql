-- Up Migration
-- An order paid without a card charge (fully discounted, or paid from the wallet) has no charge
-- id: NULL, no longer the string 'none' that used to cross the service boundary. A paid order
-- still needs what it was paid; the charge is optional.
ALTER TABLE orders DROP CONSTRAINT paid_has_charge;
UPDATE orders SET charge_id = NULL WHERE charge_id = 'none';
ALTER TABLE orders ADD CONSTRAINT paid_has_amount CHECK (
  status NOT IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') OR paid_cents IS NOT NULL);

-- Down Migration
ALTER TABLE orders DROP CONSTRAINT paid_has_amount;
UPDATE orders SET charge_id = 'none' WHERE charge_id IS NULL AND paid_cents IS NOT NULL;
ALTER TABLE orders ADD CONSTRAINT paid_has_charge CHECK (
  status NOT IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') OR (charge_id IS NOT NULL AND paid_cents IS NOT NULL));
