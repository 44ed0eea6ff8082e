-- The one flow that pays an order (its workflow id): the first to create or check the order claims
-- it, and another paying flow for the same order is refused (409 OrderOwnedByFlow) before it holds
-- anything. Orders from before this column have none yet: their next check claims them.
ALTER TABLE "order".orders ADD COLUMN paying_flow text;
