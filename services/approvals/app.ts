import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { actor, department } from '../../contracts/approval';
import { businessId, empty } from '../../contracts/fields';
import { budgetRequest, decisionRequest, holdRequest, notificationRequest } from '../../contracts/wire/approvals';
import type { Pool, PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { createServiceApp, mutation, parseInput, query } from '../shared/http';
import { recordEvent } from '../shared/events';

const lockHold = (client: PoolClient, holdId: string) =>
  client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`approvals:hold:${holdId}`]);

async function budget(db: Pool | PoolClient, dept: string) {
  const { rows } = await db.query(
    `SELECT department, total_cents AS "totalCents", held_cents AS "heldCents",
       committed_cents AS "committedCents" FROM approvals.budgets WHERE department = $1`,
    [dept],
  );
  return rows[0] as { department: string; totalCents: number; heldCents: number; committedCents: number } | undefined;
}

async function loadHold(client: PoolClient, holdId: string) {
  const { rows } = await client.query<{
    holdId: string;
    department: string | null;
    amountCents: number;
    status: string;
  }>(
    `SELECT hold_id AS "holdId", department, amount_cents AS "amountCents", status FROM approvals.holds
     WHERE hold_id = $1`,
    [holdId],
  );
  return rows[0];
}

/** Holds budget for a request; the same hold again is unchanged; a released one is refused. */
async function hold(client: PoolClient, dept: string, input: z.infer<typeof holdRequest>) {
  await lockHold(client, input.holdId);
  const existing = await loadHold(client, input.holdId);
  if (existing?.status === 'RELEASED') throw new BusinessError('HoldReleased', `hold ${input.holdId} was released`);
  if (existing) return existing;
  const updated = await client.query(
    `UPDATE approvals.budgets SET held_cents = held_cents + $2
     WHERE department = $1 AND held_cents + committed_cents + $2 <= total_cents`,
    [dept, input.amountCents],
  );
  if (!updated.rowCount) {
    if ((await budget(client, dept)) === undefined)
      throw new BusinessError('UnknownDepartment', `no budget for ${dept}`);
    throw new BusinessError('InsufficientBudget', `department ${dept} has less than ${input.amountCents} cents left`);
  }
  await client.query(
    `INSERT INTO approvals.holds (hold_id, department, amount_cents, status) VALUES ($1, $2, $3, 'HELD')`,
    [input.holdId, dept, input.amountCents],
  );
  return (await loadHold(client, input.holdId))!;
}

/** HELD → COMMITTED (spent). Committed already: unchanged. Released or unknown: refused. */
async function commit(client: PoolClient, holdId: string) {
  await lockHold(client, holdId);
  const h = await loadHold(client, holdId);
  if (h === undefined || h.status === 'RELEASED') throw new BusinessError('HoldNotHeld', `hold ${holdId} is not held`);
  if (h.status === 'HELD') {
    await client.query(
      `UPDATE approvals.budgets SET held_cents = held_cents - $2, committed_cents = committed_cents + $2 WHERE department = $1`,
      [h.department, h.amountCents],
    );
    await client.query(`UPDATE approvals.holds SET status = 'COMMITTED', updated_at = now() WHERE hold_id = $1`, [
      holdId,
    ]);
  }
  return (await loadHold(client, holdId))!;
}

/** HELD → RELEASED. Unknown: a tombstone, so a hold arriving later is refused. Committed: refused. */
async function release(client: PoolClient, holdId: string) {
  await lockHold(client, holdId);
  const h = await loadHold(client, holdId);
  if (h === undefined) {
    await client.query(
      `INSERT INTO approvals.holds (hold_id, department, amount_cents, status) VALUES ($1, NULL, 0, 'RELEASED')`,
      [holdId],
    );
    return { holdId, status: 'RELEASED', existed: false };
  }
  if (h.status === 'COMMITTED') throw new BusinessError('HoldCommitted', `hold ${holdId} was committed`);
  if (h.status === 'HELD') {
    await client.query(`UPDATE approvals.budgets SET held_cents = held_cents - $2 WHERE department = $1`, [
      h.department,
      h.amountCents,
    ]);
    await client.query(`UPDATE approvals.holds SET status = 'RELEASED', updated_at = now() WHERE hold_id = $1`, [
      holdId,
    ]);
  }
  return { ...(await loadHold(client, holdId))!, existed: true };
}

/**
 * The approvals service, the internal side of approval flows: department budgets
 * (`PUT /budgets/:department`, `GET /budgets/:department`, `POST /budgets/:department/holds`,
 * `POST /holds/:id/commit`, `POST /holds/:id/release`) and the approvers' inbox
 * (`POST /notifications`, `GET /notifications?to=`). Mutations are idempotent on Idempotency-Key.
 */
export function buildApprovalsApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('approvals', pool, logger);
  const base = { pool, schema: 'approvals' };
  const dept = (p: Record<string, string>) => parseInput(department, p.department);
  const id = (p: Record<string, string>) => parseInput(businessId, p.id);
  app.put<{ Params: Record<string, string> }>('/budgets/:department', async (request) => {
    const d = dept(request.params);
    const { totalCents } = parseInput(budgetRequest, request.body);
    await pool.query(
      `INSERT INTO approvals.budgets (department, total_cents) VALUES ($1, $2)
       ON CONFLICT (department) DO UPDATE SET total_cents = EXCLUDED.total_cents`,
      [d, totalCents],
    );
    return budget(pool, d);
  });
  query(app, '/budgets/:department', 'UnknownDepartment', (p) => budget(pool, dept(p)));
  mutation(app, { ...base, url: '/budgets/:department/holds', body: holdRequest, status: 201 }, (c, input, p) =>
    hold(c, dept(p), input),
  );
  mutation(app, { ...base, url: '/holds/:id/commit', body: empty }, (c, _i, p) => commit(c, id(p)));
  mutation(app, { ...base, url: '/holds/:id/release', body: empty }, (c, _i, p) => release(c, id(p)));
  mutation(app, { ...base, url: '/notifications', body: notificationRequest, status: 201 }, async (c, input) => {
    await c.query(
      `INSERT INTO approvals.notifications (notification_id, recipient, request_id, kind, message)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [input.notificationId, input.to, input.requestId, input.kind, input.message],
    );
    return { notificationId: input.notificationId };
  });
  // A request's decision and its approval.decided event, in one transaction, once per request.
  mutation(app, { ...base, url: '/decisions', body: decisionRequest, status: 201 }, async (c, input) => {
    const inserted = await c.query(
      `INSERT INTO approvals.decisions (request_id, kind, status, decided_by, amount_cents, currency)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [input.requestId, input.kind, input.status, input.decidedBy, input.amountCents, input.currency],
    );
    if (inserted.rowCount === 1) {
      await recordEvent(c, 'approvals', {
        type: 'approval.decided',
        version: 1,
        aggregateId: input.requestId,
        data: input,
      });
    }
    return { ...input, recorded: inserted.rowCount === 1 };
  });
  query(app, '/notifications', 'UnknownRecipient', async (_p, q) => {
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT notification_id AS "notificationId", recipient AS "to", request_id AS "requestId", kind, message,
         created_at AS "createdAt" FROM approvals.notifications WHERE recipient = $1 ORDER BY created_at LIMIT 500`,
      [parseInput(actor, q.to)],
    );
    return rows;
  });
  return app;
}
