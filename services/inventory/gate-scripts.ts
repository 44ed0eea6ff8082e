/**
 * The gate's Lua scripts. Each runs atomically on one shard's keys, all in that shard's hash slot
 * (`flash:{<sku>:<shard>}...`), so a Redis Cluster may place the shards on different nodes:
 * - `<shard>` hash: `units` left in this shard, the sale's `limit` per buyer;
 * - `<shard>:buyers` hash: units admitted per buyer whose home is this shard;
 * - `<shard>:orders` hash: `<buyer>|<quantity>|<state>` per order admitted here, state `held`,
 *   `stealing` (home shard empty, a unit is being taken from another) or `returned`.
 * Answers are small integers, named in `gate.ts`.
 */

/**
 * KEYS shard, buyers, orders; ARGV buyer, order, quantity. The attempt: 1 admitted, 2 admitted
 * before (same order), 3 the order was given back already, 0 the buyer is counted but this shard
 * is empty (steal), 4 the order is still stealing, -1 over the buyer's limit, -3 shard not loaded.
 */
export const admitScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end
local prev = redis.call('HGET', KEYS[3], ARGV[2])
if prev then
  local state = string.match(prev, '|([a-z]+)$')
  if state == 'held' then return 2 end
  if state == 'stealing' then return 4 end
  return 3
end
local q = tonumber(ARGV[3])
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit'))
local had = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if had + q > limit then return -1 end
redis.call('HINCRBY', KEYS[2], ARGV[1], q)
if tonumber(redis.call('HGET', KEYS[1], 'units')) >= q then
  redis.call('HINCRBY', KEYS[1], 'units', -q)
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[1] .. '|' .. q .. '|held')
  return 1
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1] .. '|' .. q .. '|stealing')
return 0
`;

/** KEYS shard; ARGV quantity. Takes units from another buyer's home shard: 1 taken, 0 empty, -3 not loaded. */
export const takeScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end
local q = tonumber(ARGV[1])
if tonumber(redis.call('HGET', KEYS[1], 'units')) >= q then
  redis.call('HINCRBY', KEYS[1], 'units', -q)
  return 1
end
return 0
`;

/**
 * KEYS shard, buyers, orders; ARGV order, got (1 a unit was taken elsewhere, 0 none was left).
 * Ends a steal on the buyer's home shard: held, or the buyer uncounted and the order forgotten.
 */
export const settleStealScript = `
local prev = redis.call('HGET', KEYS[3], ARGV[1])
if not prev then return 0 end
local buyer, q, state = string.match(prev, '^(.*)|(%d+)|([a-z]+)$')
if state ~= 'stealing' then return 0 end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[3], ARGV[1], buyer .. '|' .. q .. '|held')
  return 1
end
redis.call('HINCRBY', KEYS[2], buyer, -tonumber(q))
redis.call('HDEL', KEYS[3], ARGV[1])
return 0
`;

/**
 * KEYS shard, buyers, orders; ARGV order. Gives a held order's units back to the buyer's home
 * shard (units are interchangeable) and uncounts the buyer, once: 1 given back, 0 not held here
 * (unknown, already given back, or still stealing), -3 not loaded.
 */
export const giveBackScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end
local prev = redis.call('HGET', KEYS[3], ARGV[1])
if not prev then return 0 end
local buyer, q, state = string.match(prev, '^(.*)|(%d+)|([a-z]+)$')
if state ~= 'held' then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], buyer .. '|' .. q .. '|returned')
redis.call('HINCRBY', KEYS[2], buyer, -tonumber(q))
redis.call('HINCRBY', KEYS[1], 'units', tonumber(q))
return 1
`;

/**
 * KEYS shard, buyers, orders; ARGV units, limit, replace (1: drop what is there), then buyer,
 * units pairs. Loads a shard from the database's numbers; without `replace`, only when missing
 * (so concurrent rebuilds after a restart do not add up): 1 loaded, 0 it was there.
 */
export const loadScript = `
if ARGV[3] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'units', ARGV[1], 'limit', ARGV[2])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
`;
