-- Up Migration
-- TCC: Try locks the coupon for the transaction, Confirm redeems it, Cancel unlocks it.
ALTER TABLE coupons DROP CONSTRAINT coupons_status_check;
ALTER TABLE coupons ADD CONSTRAINT coupons_status_check CHECK (status IN ('AVAILABLE', 'LOCKED', 'REDEEMED'));

-- Down Migration
ALTER TABLE coupons DROP CONSTRAINT coupons_status_check;
ALTER TABLE coupons ADD CONSTRAINT coupons_status_check CHECK (status IN ('AVAILABLE', 'LOCKED'));
