import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Admission, GateReport } from '../../contracts/wire/inventory';
import type { Pool } from '../shared/db';
import { BusinessError, TransientError } from '../shared/errors';
import { getSale, openSale, saleLedger, type FlashSale, type SaleLedger } from './flash-sale';
import { admitScript, giveBackScript, loadScript, settleStealScript, takeScript } from './gate-scripts';

/** The shard a buyer's attempts and limit live on: FNV-1a of the buyer id, modulo the shard count. */
export function shardOf(buyerId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < buyerId.length; i++) h = Math.imul(h ^ buyerId.charCodeAt(i), 0x01000193) >>> 0;
  return h % shards;
}

/** Shard `i`'s part of `units`: an even split, the first shards one more for the remainder. */
export const shareOf = (units: number, shards: number, i: number) =>
  Math.floor(units / shards) + (i < units % shards ? 1 : 0);

const keysOf = (sku: string, shard: number) => {
  const base = `flash:{${sku}:${shard}}`;
  return [base, `${base}:buyers`, `${base}:orders`];
};

const unavailable = () =>
  new TransientError('GateUnavailable', 'the flash-sale gate cannot be reached right now; try again in a moment');

/**
 * The flash-sale gate: an atomic admission in Redis in front of the TCC freeze, so that only about
 * as many buyers as there are units ever reach PostgreSQL. One Lua script per attempt checks the
 * buyer's limit, takes the units from the buyer's home shard and records the order; an empty home
 * shard takes from the others in turn. Redis is never the truth: the stock row's constraints and
 * `flash_sale_buyers` refuse what the gate let through wrongly, and a shard that is missing (a
 * Redis that lost its data) is loaded again from the database on first use.
 *
 * Every method fails with a TransientError `GateUnavailable` (503) when Redis does not answer, and
 * the admission and give-back are safe to repeat with the same order id.
 */
export class FlashSaleGate {
  private readonly redis: Redis;
  private readonly sales = new Map<string, FlashSale>();
  private readonly shas = new Map<string, string>();

  constructor(
    private readonly pool: Pool,
    opts: { url: string; shards: number; logger: Logger },
  ) {
    this.defaultShards = opts.shards;
    // No retry of a command on another connection (a script may have run), a bounded wait while
    // Redis is away, then a clear "try again" instead of a hang.
    this.redis = new Redis(opts.url, {
      maxRetriesPerRequest: 0,
      commandTimeout: 1500,
      connectTimeout: 1500,
      retryStrategy: (times) => Math.min(times * 100, 1000),
      enableAutoPipelining: true,
    });
    let down = false;
    this.redis.on('error', (err: Error) => {
      if (!down) opts.logger.warn({ err: err.message }, 'flash-sale gate: Redis unreachable');
      down = true;
    });
    this.redis.on('ready', () => {
      if (down) opts.logger.info('flash-sale gate: Redis back');
      down = false;
    });
  }

  readonly defaultShards: number;

  /** Opens the sale in the database, then loads every shard of the gate from it. */
  async open(sku: string, units: number, perBuyerLimit: number): Promise<FlashSale> {
    const sale = await openSale(this.pool, { sku, units, perBuyerLimit, gateShards: this.defaultShards });
    this.sales.set(sku, sale);
    await this.rebuild(sku);
    return sale;
  }

  /**
   * One attempt: admits `orderId` (again, when it was admitted before) or refuses `OutOfStock`,
   * `BuyerLimitReached`, or 409 `AdmissionReturned` for an order whose unit was already given back.
   */
  async admit(sku: string, req: { buyerId: string; orderId: string; quantity: number }): Promise<Admission> {
    const sale = await this.sale(sku);
    const home = shardOf(req.buyerId, sale.gateShards);
    const code = await this.onShard(sale, home, admitScript, [req.buyerId, req.orderId, req.quantity]);
    if (code === 1 || code === 2) return { admitted: true, orderId: req.orderId, shard: home };
    if (code === -1) {
      throw new BusinessError(
        'BuyerLimitReached',
        `buyer ${req.buyerId} has reached the limit of ${sale.perBuyerLimit}`,
      );
    }
    if (code === 3) throw new BusinessError('AdmissionReturned', `order ${req.orderId} gave its units back`, 409);
    return this.steal(sale, home, req);
  }

  /** Gives a failed or cancelled order's units back, once; `false` when there was nothing to give back. */
  async giveBack(sku: string, buyerId: string, orderId: string): Promise<boolean> {
    const sale = await this.sale(sku);
    return (await this.onShard(sale, shardOf(buyerId, sale.gateShards), giveBackScript, [orderId])) === 1;
  }

  /** Loads every shard from the database, replacing what the gate held. */
  async rebuild(sku: string): Promise<GateReport> {
    const ledger = await saleLedger(this.pool, sku);
    for (let i = 0; i < ledger.sale.gateShards; i++) await this.load(ledger, i, true);
    return this.report(sku);
  }

  /** The gate next to the database, for the scheduled comparison after a sale. */
  async report(sku: string): Promise<GateReport> {
    const ledger = await saleLedger(this.pool, sku);
    const shards = ledger.sale.gateShards;
    let remaining = 0;
    let buyerUnits = 0;
    let loadedShards = 0;
    for (let i = 0; i < shards; i++) {
      const [shard, buyers] = keysOf(sku, i) as [string, string];
      const [units, counts] = await this.guard(() =>
        Promise.all([this.redis.hget(shard, 'units'), this.redis.hvals(buyers)]),
      );
      if (units === null) continue;
      loadedShards += 1;
      remaining += Number(units);
      buyerUnits += counts.reduce((s, c) => s + Number(c), 0);
    }
    const dbBuyers = [...ledger.buyers.values()].reduce((s, n) => s + n, 0);
    return {
      sku,
      gate: { remaining, buyerUnits, shards, loadedShards },
      database: { available: ledger.available, frozen: ledger.frozen, sold: ledger.sold, buyerUnits: dbBuyers },
      drift: { units: remaining - ledger.available, buyerUnits: buyerUnits - dbBuyers },
    };
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }

  private async steal(sale: FlashSale, home: number, req: { orderId: string; quantity: number }): Promise<Admission> {
    for (let k = 1; k < sale.gateShards; k++) {
      const from = (home + k) % sale.gateShards;
      if ((await this.onShard(sale, from, takeScript, [req.quantity], 1)) === 1) {
        await this.onShard(sale, home, settleStealScript, [req.orderId, 1]);
        return { admitted: true, orderId: req.orderId, shard: from };
      }
    }
    await this.onShard(sale, home, settleStealScript, [req.orderId, 0]);
    throw new BusinessError('OutOfStock', `the flash sale of ${sale.sku} is sold out`);
  }

  /** Runs a script on shard `i`'s keys; a shard that is not loaded (-3) is loaded from the database once. */
  private async onShard(sale: FlashSale, i: number, lua: string, args: (string | number)[], keys = 3) {
    const run = () => this.script(lua, keysOf(sale.sku, i).slice(0, keys), args);
    const code = await run();
    if (code !== -3) return code;
    await this.load(await saleLedger(this.pool, sale.sku), i, false);
    return run();
  }

  private async load(ledger: SaleLedger, i: number, replace: boolean): Promise<void> {
    const { sale } = ledger;
    const buyers = [...ledger.buyers].filter(([b]) => shardOf(b, sale.gateShards) === i).flat();
    const units = shareOf(ledger.available, sale.gateShards, i);
    await this.script(loadScript, keysOf(sale.sku, i), [units, sale.perBuyerLimit, replace ? 1 : 0, ...buyers]);
  }

  /** EVALSHA, and EVAL when Redis does not know the script (first use, or after a restart). */
  private async script(lua: string, keys: string[], args: (string | number)[]): Promise<number> {
    let sha = this.shas.get(lua);
    if (sha === undefined) {
      sha = createHash('sha1').update(lua).digest('hex');
      this.shas.set(lua, sha);
    }
    const known = sha;
    return this.guard(async () => {
      try {
        return Number(await this.redis.evalsha(known, keys.length, ...keys, ...args));
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return Number(await this.redis.eval(lua, keys.length, ...keys, ...args));
      }
    });
  }

  /** Redis faults become `GateUnavailable`; a script's own error (a bug, not an outage) stays as it is. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const reply = err instanceof Error && err.name === 'ReplyError';
      if (reply && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|NOSCRIPT)/.test(err.message)) throw err;
      throw unavailable();
    }
  }

  /** The sale's settings, read from the database once per process. */
  private async sale(sku: string): Promise<FlashSale> {
    const known = this.sales.get(sku);
    if (known) return known;
    const sale = await getSale(this.pool, sku);
    this.sales.set(sku, sale);
    return sale;
  }
}
