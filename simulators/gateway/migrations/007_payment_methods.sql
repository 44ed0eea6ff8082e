-- Up Migration
-- The vault: a token for each card handed to POST /payment-methods, and only what may be shown of
-- it. The card number itself is kept nowhere (the simulator needs only its behaviour, which follows
-- from the token). Test cards have fixed tokens and no row (simulators/gateway/cards.ts).
CREATE TABLE payment_methods (
  payment_method text PRIMARY KEY CHECK (payment_method ~ '^pm_[0-9a-f]{24}$'),
  brand text NOT NULL,
  last4 char(4) NOT NULL,
  exp_month int NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The token each charge was made with (NULL for charges from before tokens).
ALTER TABLE charges ADD COLUMN payment_method text;

-- Down Migration
ALTER TABLE charges DROP COLUMN payment_method;
DROP TABLE payment_methods;
