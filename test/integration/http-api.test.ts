import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions, httpFlashSaleGate } from '../../client';
import { buildApiApp } from '../../apps/api/app';
import { defaultRouting } from '../../contracts/approval';
import { migrate } from '../../services/migrations';
import { apiMigrations } from '../../apps/api/migrations';
import { createLogger } from '../../config/logger';
import { maxIdLength } from '../../contracts/fields';
import { useStack } from '../support/fixtures';
import { http, testServiceTokens } from '../support/services';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const stack = useStack();
const taskQueue = uniqueTaskQueue('int-api');
const backoffice = 'backoffice-token-0123456789';
const reporting = 'reporting-token-0123456789';
const helpdesk = 'helpdesk-token-0123456789';
/** A call as the back office (allowed everything) would make it. */
const call = (method: 'GET' | 'POST', path: string, body?: unknown, token = backoffice, key?: string) =>
  http(method, `${base}${path}`, body, {
    authorization: `Bearer ${token}`,
    ...(key === undefined ? {} : { 'idempotency-key': key }),
  });
let api: FastifyInstance;
let base = '';
beforeAll(async () => {
  await migrate(stack.databaseUrl, { info: () => undefined }, [apiMigrations]);
  api = buildApiApp({
    client: stack.client,
    start: { taskQueue },
    logger: createLogger('test-api', 'silent'),
    approvals: { routing: defaultRouting, slaPerLevelMs: 86_400_000, deadlineMs: 7 * 86_400_000 },
    clients: [
      { name: 'backoffice', token: backoffice, scopes: ['*'] },
      { name: 'reporting', token: reporting, scopes: ['refunds:read', 'approvals:read'] },
      { name: 'helpdesk', token: helpdesk, scopes: ['*'] },
    ],
    pool: stack.services.pool,
    // This file's inventory has no Redis: its gate answers 503 GateUnavailable.
    flashSaleGate: httpFlashSaleGate(stack.url('inventory'), testServiceTokens.callers.api),
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await api?.close();
});

const purchase = (requestId: string) => ({
  requestId,
  kind: 'purchase',
  requester: 'dev-1',
  department: 'support',
  amountCents: 50_000,
  currency: 'EUR',
  description: 'two monitors',
});

describe('HTTP API for refunds and approvals', () => {
  it('asks every caller for a token with the right scope, and describes itself in OpenAPI', async () => {
    expect((await http('POST', `${base}/refunds`, {})).status).toBe(401);
    expect((await call('GET', '/refunds/x', undefined, 'not-a-known-token-at-all')).status).toBe(401);
    const forbidden = await call('POST', '/refunds', {}, reporting);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toEqual({ type: 'Forbidden', message: 'reporting may not refunds:start' });
    expect((await call('GET', '/refunds/x', undefined, reporting)).status).toBe(404); // allowed to read
    const doc = (await http('GET', `${base}/openapi.json`)).body as Record<string, any>;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths as object)).toEqual(
      expect.arrayContaining(['/refunds', '/refunds/{id}', '/approvals', '/approvals/{id}', '/approvals/{id}/approve']),
    );
    const refundBody = doc.paths['/refunds'].post.requestBody.content['application/json'].schema;
    expect(refundBody.required).toEqual(
      expect.arrayContaining(['refundId', 'orderId', 'amountCents', 'reason', 'requestedBy']),
    );
    expect(refundBody.properties.amountCents).toMatchObject({ type: 'integer', minimum: 1 });
    expect(doc.paths['/approvals/{id}/comment'].post.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    );
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('refuses bad input with 400 naming each field, and starts nothing', async () => {
    const bad = await call('POST', `/refunds`, {
      refundId: 'api r1',
      orderId: 'o',
      amountCents: -5,
      reason: '',
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.fields as { path: string }[]).map((f) => f.path);
    expect([...new Set(paths)]).toEqual(['refundId', 'amountCents', 'reason', 'requestedBy']);
    await expect(stack.client.workflow.getHandle('refund:api r1').describe()).rejects.toThrow(/not found/i);
    const badApproval = await call('POST', `/approvals`, { ...purchase('api-bad'), routing: defaultRouting });
    expect(badApproval.status).toBe(400); // callers cannot bring their own routing
  });

  it('answers 404 for what does not exist and 400 for an unknown action', async () => {
    expect((await call('GET', `/refunds/nope`)).status).toBe(404);
    expect((await call('GET', `/approvals/nope`)).status).toBe(404);
    expect((await call('POST', `/approvals/nope/approve`, { by: 'x' })).status).toBe(404);
    expect((await call('POST', `/approvals/nope/sign`, { by: 'x' })).body.error.fields).toEqual([
      { path: 'action', message: 'must be one of approve, reject, delegate, comment, withdraw' },
    ]);
  });

  it('takes in its routes every id its POSTs accept or its flows derive, and refuses a longer one with 400', async () => {
    const longest = 'r'.repeat(maxIdLength);
    expect((await call('GET', `/refunds/${longest}`)).status).toBe(404); // not 414
    // A refund above the approval threshold waits on request `refund:<refundId>`.
    expect((await call('GET', `/approvals/refund:${longest}`)).status).toBe(404);
    expect((await call('POST', `/approvals/refund:${longest}/approve`, { by: 'x' })).status).toBe(404);
    const tooLong = await call('POST', `/refunds`, {
      refundId: `${longest}r`,
      orderId: 'o-1',
      amountCents: 5,
      reason: 'too long',
      requestedBy: 'agent-1',
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.fields).toEqual([
      { path: 'refundId', message: expect.stringContaining(`1-${maxIdLength}`) },
    ]);
    expect((await call('GET', `/refunds/${longest}r`)).status).toBe(400);
  });

  it('answers an unknown route 404 and a known path under another method 405, in the documented shape', async () => {
    const unknown = await call('GET', '/no/such/route');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { type: 'NotFound', message: expect.any(String) } });
    const wrongMethod = await call('GET', '/approvals/a-1/approve');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(wrongMethod.body).toEqual({ error: { type: 'MethodNotAllowed', message: expect.any(String) } });
  });

  it('starts an approval once, refuses the wrong approver with 409, and takes the right one', async () => {
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      const first = await call('POST', `/approvals`, purchase('api-1'));
      const again = await call('POST', `/approvals`, purchase('api-1'));
      expect(first.status).toBe(202);
      expect(again.body.runId).toBe(first.body.runId);
      const conflict = await call('POST', `/approvals`, { ...purchase('api-1'), amountCents: 60_000 });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error).toMatchObject({
        type: 'AlreadyStarted',
        message: expect.stringContaining('approval:api-1'),
      });
      await expect.poll(async () => (await call('GET', `/approvals/api-1`)).body.currentApprover).toBe('tl-support');
      const history = async () => (await stack.client.workflow.getHandle('approval:api-1').fetchHistory()).events ?? [];
      // Let the run settle (its first notification, its timers) so only the update could add events.
      let before = -1;
      for (let now = (await history()).length; now !== before; now = (await history()).length) {
        before = now;
        await new Promise((r) => setTimeout(r, 500));
      }
      const events = async () => (await history()).length;
      const wrong = await call('POST', `/approvals/api-1/approve`, { by: 'head-sales' });
      expect(wrong.status).toBe(409);
      expect(await events()).toBe(before); // refused in the validator: nothing entered the history
      expect((await history()).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
      expect(wrong.body.error).toMatchObject({ type: 'ActionRefused', message: expect.stringContaining('head-sales') });
      const missing = await call('POST', `/approvals/api-1/reject`, { by: 'tl-support' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.fields).toEqual([{ path: 'reason', message: expect.any(String) }]);
      const ok = await call('POST', `/approvals/api-1/approve`, { by: 'tl-support', comment: 'fine' });
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('APPROVED');
      expect((await history()).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
      const late = await call('POST', `/approvals/api-1/approve`, { by: 'tl-support' });
      expect(late.status).toBe(409); // decided, whether the run has closed yet or not
      await stack.client.workflow.getHandle('approval:api-1').result();
      const closed = await call('POST', `/approvals/api-1/approve`, { by: 'tl-support' });
      expect(closed.body.error).toEqual({
        type: 'ActionRefused',
        message: expect.stringMatching(/^approval:api-1 is closed: it COMPLETED( \(\w+\))? at \d{4}-/) as string,
      });
    });
  });

  it('runs a POST once per caller and Idempotency-Key: a retry gets the stored answer, another body 409', async () => {
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      const started = await call('POST', '/approvals', purchase('api-idem'), backoffice, 'start-1');
      expect(started.status).toBe(202);
      expect(started.headers.get('idempotent-replayed')).toBe('false');
      const retried = await call('POST', '/approvals', purchase('api-idem'), backoffice, 'start-1');
      expect(retried).toMatchObject({ status: 202, body: started.body });
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      const reused = await call('POST', '/approvals', purchase('api-idem-2'), backoffice, 'start-1');
      expect(reused.status).toBe(409);
      expect(reused.body.error.type).toBe('IdempotencyKeyReused');
      await expect(stack.client.workflow.getHandle('approval:api-idem-2').describe()).rejects.toThrow(/not found/i);

      // A comment posted twice under one key (a client retrying after a timeout) is recorded once.
      await expect.poll(async () => (await call('GET', '/approvals/api-idem')).body.currentApprover).toBe('tl-support');
      const comment = { by: 'tl-support', text: 'checking the quote' };
      const first = await call('POST', '/approvals/api-idem/comment', comment, backoffice, 'comment-1');
      const second = await call('POST', '/approvals/api-idem/comment', comment, backoffice, 'comment-1');
      expect(first.status).toBe(200);
      expect(second).toMatchObject({ status: 200, body: first.body });
      // Another calling service has keys of its own: the same key from it is a new request.
      const other = await call('POST', '/approvals/api-idem/comment', comment, helpdesk, 'comment-1');
      expect(other.headers.get('idempotent-replayed')).toBe('false');
      const comments = (await call('GET', '/approvals/api-idem')).body.audit.filter(
        (a: { what: string }) => a.what === 'commented',
      );
      expect(comments).toHaveLength(2);
      // Under the stored answers, the engine applies an update id once: a retry whose first answer
      // was never stored still changes nothing.
      const updateId = 'backoffice:lost-answer';
      await approvalActions.comment(stack.client, 'api-idem', comment, { updateId });
      const state = await approvalActions.comment(stack.client, 'api-idem', comment, { updateId });
      expect(state.audit.filter((a) => a.what === 'commented')).toHaveLength(3);

      // A refusal is an answer too: kept for the key, and the workflow is not asked again.
      const refused = await call('POST', '/approvals/api-idem/approve', { by: 'head-sales' }, backoffice, 'approve-1');
      expect(refused.status).toBe(409);
      const again = await call('POST', '/approvals/api-idem/approve', { by: 'head-sales' }, backoffice, 'approve-1');
      expect(again).toMatchObject({ status: 409, body: refused.body });
      expect(again.headers.get('idempotent-replayed')).toBe('true');

      // Bad input stores nothing: the same key then works with a good body.
      const bad = await call('POST', '/approvals/api-idem/reject', { by: 'tl-support' }, backoffice, 'reject-1');
      expect(bad.status).toBe(400);
      const good = await call(
        'POST',
        '/approvals/api-idem/reject',
        { by: 'tl-support', reason: 'over budget' },
        backoffice,
        'reject-1',
      );
      expect(good).toMatchObject({ status: 200, body: { status: 'REJECTED' } });
      const tooLong = await call('POST', '/approvals/api-idem/comment', comment, backoffice, 'k'.repeat(301));
      expect(tooLong.body.error.fields).toEqual([
        { path: 'Idempotency-Key', message: 'must be one header of 1-300 characters' },
      ]);
      // The rejected request gives its budget hold back before the run ends.
      expect(await stack.client.workflow.getHandle('approval:api-idem').result()).toMatchObject({ status: 'REJECTED' });
    });
  });
});

describe('HTTP API for flash-sale purchases', () => {
  const input = {
    orderId: 'api-fs-1',
    customerId: 'buyer-1',
    currency: 'EUR',
    sku: 'API-HOT',
    quantity: 1,
    unitPriceCents: 999,
    paymentMethod: 'pm_card_success',
  };
  it('refuses bad input naming the field, and says "try again" with a 503 when the gate cannot decide', async () => {
    const bad = await call('POST', '/flash-sales/purchases', { ...input, quantity: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['quantity']);
    const away = await call('POST', '/flash-sales/purchases', input);
    expect(away.status).toBe(503);
    expect(away.headers.get('retry-after')).toBe('1');
    expect(away.body.error).toMatchObject({ type: 'GateUnavailable' });
    // Nothing started for the order.
    await expect(stack.client.workflow.getHandle('flash:api-fs-1').describe()).rejects.toThrow();
    const doc = (await http('GET', `${base}/openapi.json`)).body as Record<string, any>;
    const responses = doc.paths['/flash-sales/purchases'].post.responses as Record<string, unknown>;
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['202', '422', '503']));
  });
});
