-- Up Migration
-- A paid order's reservation is sold after the payment's pivot (reserved → sold); a refund that
-- returns items then takes them out of `sold` into `available`, never more than were reserved.
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations
  ADD CONSTRAINT reservations_status_check CHECK (status IN ('RESERVED', 'SOLD', 'RELEASED')),
  ADD COLUMN sold_at timestamptz,
  ADD CONSTRAINT sold_has_time CHECK ((status = 'SOLD') = (sold_at IS NOT NULL));

-- Down Migration
ALTER TABLE reservations DROP CONSTRAINT sold_has_time, DROP COLUMN sold_at;
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check CHECK (status IN ('RESERVED', 'RELEASED'));
