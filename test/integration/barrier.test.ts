import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inTransaction } from '../../services/shared/db';
import { BusinessError } from '../../services/shared/errors';
import type { TccOp } from '../../services/shared/barrier';
import { cancelFrozen, confirmFrozen, tryFreeze } from '../../services/inventory/tcc';
import { useServices } from '../support/fixtures';

const stack = useServices();

const pool = () => stack.services.pool;
let run = 0;

/** One TCC operation in its own transaction on its own connection; answers the outcome or the refusal type. */
async function op(kind: TccOp, gid: string, branchId: string, sku: string, quantity = 3): Promise<string> {
  try {
    const branch = { gid, branchId };
    const out = await inTransaction(pool(), async (c): Promise<{ outcome: string }> => {
      if (kind === 'try') return tryFreeze(c, branch, { items: [{ sku, quantity }] });
      return kind === 'confirm' ? confirmFrozen(c, branch) : cancelFrozen(c, branch);
    });
    return out.outcome;
  } catch (err) {
    if (err instanceof BusinessError) return err.type;
    throw err;
  }
}

async function seed(sku: string, available: number) {
  await pool().query(
    `INSERT INTO inventory.stock (sku, available, stocked) VALUES ($1, $2, $2)
     ON CONFLICT (sku) DO UPDATE SET available = $2, stocked = $2, reserved = 0, frozen = 0, sold = 0`,
    [sku, available],
  );
}
async function stock(sku: string) {
  const { rows } = await pool().query('SELECT available, frozen, sold FROM inventory.stock WHERE sku = $1', [sku]);
  return rows[0] as { available: number; frozen: number; sold: number };
}
async function barrierOps(gid: string, branchId: string): Promise<string[]> {
  const { rows } = await pool().query(
    'SELECT op, origin FROM inventory.tcc_barrier WHERE gid = $1 AND branch_id = $2 ORDER BY op',
    [gid, branchId],
  );
  return rows.map((r: { op: string; origin: string }) => (r.op === r.origin ? r.op : `${r.op}(by ${r.origin})`));
}

describe('TCC barrier on real PostgreSQL', () => {
  it.each([
    [
      ['try', 'try', 'confirm', 'confirm', 'cancel'],
      ['applied', 'duplicate', 'applied', 'duplicate', 'CancelAfterConfirm'],
      { available: 7, frozen: 0, sold: 3 },
    ],
    [
      ['try', 'cancel', 'cancel', 'confirm', 'try'],
      ['applied', 'applied', 'duplicate', 'ConfirmAfterCancel', 'TryAfterCancel'],
      { available: 10, frozen: 0, sold: 0 },
    ],
    [
      ['cancel', 'try', 'cancel', 'confirm'],
      ['empty', 'TryAfterCancel', 'duplicate', 'ConfirmAfterCancel'],
      { available: 10, frozen: 0, sold: 0 },
    ],
    [['confirm', 'try', 'confirm'], ['ConfirmWithoutTry', 'applied', 'applied'], { available: 7, frozen: 0, sold: 3 }],
    [['try', 'try'], ['applied', 'duplicate'], { available: 7, frozen: 3, sold: 0 }],
    [
      ['cancel', 'cancel', 'try', 'try'],
      ['empty', 'duplicate', 'TryAfterCancel', 'TryAfterCancel'],
      { available: 10, frozen: 0, sold: 0 },
    ],
  ] as [TccOp[], string[], object][])('%j answers %j', async (ops, answers, after) => {
    const sku = `BR-${++run}`;
    await seed(sku, 10);
    const got: string[] = [];
    for (const kind of ops) got.push(await op(kind, `g-${run}`, 'b1', sku));
    expect(got).toEqual(answers);
    expect(await stock(sku)).toEqual(after);
  });

  it('a cancel with no try is committed, so the late try freezes nothing', async () => {
    const sku = `BR-${++run}`;
    await seed(sku, 10);
    expect(await op('cancel', `g-${run}`, 'b1', sku)).toBe('empty');
    expect(await barrierOps(`g-${run}`, 'b1')).toEqual(['cancel', 'try(by cancel)']);
    expect(await op('try', `g-${run}`, 'b1', sku)).toBe('TryAfterCancel');
    expect(await stock(sku)).toEqual({ available: 10, frozen: 0, sold: 0 });
  });

  it('a try refused for stock leaves no barrier row, so a later cancel is an empty compensation', async () => {
    const sku = `BR-${++run}`;
    await seed(sku, 1);
    expect(await op('try', `g-${run}`, 'b1', sku, 5)).toBe('OutOfStock');
    expect(await barrierOps(`g-${run}`, 'b1')).toEqual([]);
    expect(await op('cancel', `g-${run}`, 'b1', sku)).toBe('empty');
    expect(await stock(sku)).toEqual({ available: 1, frozen: 0, sold: 0 });
  });

  it('confirm and cancel racing on one branch: exactly one wins, never both, never a deadlock', async () => {
    for (let i = 0; i < 20; i++) {
      const sku = `BR-${++run}`;
      await seed(sku, 10);
      await op('try', `g-${run}`, 'b1', sku);
      const answers = await Promise.all([op('confirm', `g-${run}`, 'b1', sku), op('cancel', `g-${run}`, 'b1', sku)]);
      expect(answers.filter((a) => a === 'applied')).toHaveLength(1);
      expect(answers).toContain(answers[0] === 'applied' ? 'CancelAfterConfirm' : 'ConfirmAfterCancel');
      const s = await stock(sku);
      expect(s.frozen).toBe(0);
      expect(s.sold === 3 ? s.available === 7 : s.available === 10 && s.sold === 0).toBe(true);
    }
  });

  it('try and cancel racing on one branch: either the try is undone or it is refused', async () => {
    for (let i = 0; i < 20; i++) {
      const sku = `BR-${++run}`;
      await seed(sku, 10);
      const [tried, cancelled] = await Promise.all([
        op('try', `g-${run}`, 'b1', sku),
        op('cancel', `g-${run}`, 'b1', sku),
      ]);
      expect([
        ['applied', 'applied'],
        ['TryAfterCancel', 'empty'],
      ]).toContainEqual([tried, cancelled]);
      expect(await stock(sku)).toEqual({ available: 10, frozen: 0, sold: 0 });
    }
  });

  it('property: random interleavings with duplicates and delays keep every invariant', async () => {
    const opArb = fc.record({
      kind: fc.constantFrom<TccOp>('try', 'confirm', 'cancel'),
      branch: fc.constantFrom('b1', 'b2', 'b3'),
      delayMs: fc.integer({ min: 0, max: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        async (waves) => {
          const gid = `prop-${++run}`;
          const sku = `BR-${run}`;
          await seed(sku, 6); // room for two of the three branches: OutOfStock happens too
          for (const wave of waves) {
            // each wave runs concurrently on separate connections
            await Promise.all(
              wave.map(async ({ kind, branch, delayMs }) => {
                await new Promise((r) => setTimeout(r, delayMs));
                return op(kind, gid, branch, sku);
              }),
            );
          }
          const s = await stock(sku);
          let frozen = 0;
          let sold = 0;
          for (const b of ['b1', 'b2', 'b3']) {
            const ops = await barrierOps(gid, b);
            expect(ops.includes('confirm') && ops.includes('cancel')).toBe(false); // never mixed
            if (ops.includes('confirm')) sold += 3;
            else if (ops.includes('try') && !ops.includes('cancel')) frozen += 3; // tried, still open
          }
          expect(s).toEqual({ available: 6 - frozen - sold, frozen, sold });
        },
      ),
      { numRuns: 40 },
    );
  });
});
