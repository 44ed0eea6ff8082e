import type { z } from 'zod';
import type { freezeBalanceRequest } from '../../contracts/wire/wallet';
import { barrier, type Branch } from '../shared/barrier';
import type { PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';

/** Try: freezes the amount out of the stored balance, or refuses with InsufficientBalance. */
export const tryFreezeBalance = (client: PoolClient, branch: Branch, input: z.infer<typeof freezeBalanceRequest>) =>
  barrier(client, 'wallet', branch, 'try', async () => {
    const updated = await client.query(
      `UPDATE wallet.accounts SET balance_cents = balance_cents - $2, frozen_cents = frozen_cents + $2
       WHERE customer_id = $1 AND balance_cents >= $2`,
      [input.customerId, input.amountCents],
    );
    if (updated.rowCount === 0) {
      throw new BusinessError('InsufficientBalance', `balance of ${input.customerId} is below ${input.amountCents}`);
    }
    await client.query(
      'INSERT INTO wallet.tcc_debits (gid, branch_id, customer_id, amount_cents) VALUES ($1, $2, $3, $4)',
      [branch.gid, branch.branchId, input.customerId, input.amountCents],
    );
    return { frozenCents: input.amountCents };
  });

/** Moves the branch's frozen amount to `target`: spent on confirm, back to the balance on cancel. */
async function settle(client: PoolClient, branch: Branch, target: 'spent_cents' | 'balance_cents') {
  const { rows } = await client.query<{ customerId: string; amount: number }>(
    'SELECT customer_id AS "customerId", amount_cents AS amount FROM wallet.tcc_debits WHERE gid = $1 AND branch_id = $2',
    [branch.gid, branch.branchId],
  );
  for (const { customerId, amount } of rows) {
    await client.query(
      `UPDATE wallet.accounts SET frozen_cents = frozen_cents - $2, ${target} = ${target} + $2 WHERE customer_id = $1`,
      [customerId, amount],
    );
  }
  return { settledCents: rows.reduce((sum, r) => sum + r.amount, 0) };
}

export const confirmFrozenBalance = (client: PoolClient, branch: Branch) =>
  barrier(client, 'wallet', branch, 'confirm', () => settle(client, branch, 'spent_cents'));
export const cancelFrozenBalance = (client: PoolClient, branch: Branch) =>
  barrier(client, 'wallet', branch, 'cancel', () => settle(client, branch, 'balance_cents'));
