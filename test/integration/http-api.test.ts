import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions, httpFlashSaleGate, startPayment } from '../../client';
import { buildApiApp } from '../../apps/api/app';
import { defaultRouting } from '../../contracts/approval';
import { migrate } from '../../services/migrations';
import { apiMigrations } from '../../apps/api/migrations';
import { createLogger } from '../../config/logger';
import { maxIdLength, maxKeyLength } from '../../contracts/fields';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { useStack } from '../support/fixtures';
import { http, inventoryInStocktake, testServiceTokens } from '../support/services';
import { anOrder, shop } from '../support/shop';
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
      { name: 'reporting', token: reporting, scopes: ['refunds:read', 'approvals:read', 'sagas:read'] },
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

describe('HTTP API: its document and the refusals Fastify makes', () => {
  interface Operation {
    parameters?: { name: string }[];
    responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }>; headers?: object }>;
  }
  const operation = (doc: Record<string, any>, method: string, url: string): { path: string; op: Operation }[] => {
    // `/approvals/:id/:action` is documented once per action: any documented path it matches counts.
    const pattern = new RegExp(`^${url.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    return Object.entries(doc.paths as Record<string, Record<string, any>>)
      .filter(([path]) => pattern.test(path))
      .map(([path, ops]) => ({ path, op: ops[method.toLowerCase()] as Operation }))
      .filter((o) => o.op !== undefined);
  };

  it('documents every route it registers, each success with a real schema, and no route it lacks', async () => {
    const doc = (await http('GET', `${base}/openapi.json`)).body as Record<string, any>;
    expect(api.apiRoutes.length).toBeGreaterThan(10);
    for (const { method, url } of api.apiRoutes) {
      const found = operation(doc, method, url);
      expect(found, `${method} ${url} is not in the OpenAPI document`).not.toHaveLength(0);
      for (const { path, op } of found) {
        const success = Object.entries(op.responses).filter(([code]) => code.startsWith('2'));
        expect(success, `${method} ${path} documents no success`).not.toHaveLength(0);
        for (const [code, response] of success) {
          const body = response.content?.['application/json']?.schema ?? {};
          expect(
            Object.keys(body.properties ?? {}).length + ((body.required as unknown[] | undefined)?.length ?? 0),
            `${method} ${path} ${code}`,
          ).toBeGreaterThan(0);
          const keyed = (op.parameters ?? []).some((p) => p.name === 'Idempotency-Key');
          expect(
            response.headers !== undefined && 'Idempotent-Replayed' in response.headers,
            `${method} ${path} ${code}: replay header`,
          ).toBe(keyed);
        }
        if (url.includes('/:')) expect(Object.keys(op.responses), `${method} ${path}`).toContain('414');
        if (method === 'POST')
          expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['413', '415']));
      }
    }
    // And the other way: every documented operation is a route.
    for (const [path, ops] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) {
        const fits = api.apiRoutes.some(
          (r) =>
            r.method === method.toUpperCase() && new RegExp(`^${r.url.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(path),
        );
        expect(fits, `${method} ${path} is documented but not a route`).toBe(true);
      }
    }
    const state = doc.paths['/payments/{orderId}'].get.responses['200'].content['application/json'].schema;
    expect(state.properties.saga.properties.status.enum).toContain('NEEDS_ATTENTION');
    expect(state.properties.saga.properties.operatorActions.items.required).toEqual(
      expect.arrayContaining(['action', 'step', 'by', 'at']),
    );
  });

  it('answers a body over the limit 413, a path parameter over the limit 414 and a body not JSON 415, in our shape', async () => {
    const tooLarge = await call('POST', '/refunds', { refundId: 'big', reason: 'x'.repeat(1024 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toEqual({ error: { type: 'PayloadTooLarge', message: expect.any(String) } });
    const tooLong = await call('GET', `/payments/${'p'.repeat(maxKeyLength + 1)}`);
    expect(tooLong.status).toBe(414);
    expect(tooLong.body).toEqual({
      error: { type: 'UriTooLong', message: `a path parameter is longer than ${maxKeyLength} characters` },
    });
    const response = await fetch(`${base}/refunds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${backoffice}`, 'content-type': 'text/plain' },
      body: 'refund please',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: { type: 'UnsupportedMediaType', message: expect.any(String) } });
  });
});

describe('HTTP API for payment, checkout and flash-sale sagas', () => {
  const db = shop(
    () => stack.services.pool,
    (name) => stack.url(name),
  );
  const cancelRequest = async (workflowId: string) =>
    ((await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).find(
      (e) => e.workflowExecutionCancelRequestedEventAttributes,
    )?.workflowExecutionCancelRequestedEventAttributes;

  it('reads a payment saga by its order, and refuses unknown ids, bad ids and other callers', async () => {
    await db.stock('API-P1a', 10);
    await db.stock('API-P1b', 10);
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      await (await startPayment(stack.client, anOrder('api-p1', ['API-P1a', 'API-P1b']), { taskQueue })).result();
      const read = await call('GET', '/payments/api-p1', undefined, reporting);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        workflowId: 'payment:api-p1',
        runId: expect.any(String),
        status: 'COMPLETED',
        saga: { flowType: 'paymentSaga', status: 'COMPLETED', attention: [], operatorActions: [] },
      });
      expect(read.body.saga.steps).toContainEqual(expect.objectContaining({ name: 'charge-card', status: 'done' }));
    });
    expect((await call('GET', '/payments/nobody')).body.error).toEqual({
      type: 'NotFound',
      message: 'no workflow payment:nobody',
    });
    expect((await call('GET', '/checkouts/nobody')).body.error.message).toBe('no workflow checkout:nobody');
    expect((await call('GET', '/flash-sales/nobody')).body.error.message).toBe('no workflow flash:nobody');
    expect((await call('GET', '/payments/no%20spaces')).body.error.fields).toEqual([
      { path: 'orderId', message: expect.stringContaining('letters, digits') },
    ]);
    expect((await call('GET', '/payments/api-p1', undefined, 'not-a-known-token-at-all')).status).toBe(401);
    const forbidden = await call('POST', '/sagas/payment:api-p1/retry', {}, reporting);
    expect(forbidden).toMatchObject({
      status: 403,
      body: { error: { type: 'Forbidden', message: 'reporting may not sagas:operate' } },
    });
  });

  it('validates the list query naming the field, and operator actions naming the workflow id and who acts', async () => {
    const status = await call('GET', '/sagas?status=STUCK');
    expect(status.status).toBe(400);
    expect(status.body.error.fields).toEqual([{ path: 'status', message: expect.stringContaining('NEEDS_ATTENTION') }]);
    expect((await call('GET', '/sagas?limit=0')).body.error.fields).toEqual([
      { path: 'limit', message: 'must be at least 1' },
    ]);
    expect((await call('GET', '/sagas?colour=red')).body.error.fields).toEqual([
      { path: 'colour', message: 'is not a filter: use status, flow, orderId, limit' },
    ]);
    expect((await call('POST', '/sagas/approval:a-1/cancel')).body.error.fields).toEqual([
      { path: 'workflowId', message: expect.stringContaining('payment:') },
    ]);
    expect((await call('POST', '/sagas/payment:api-p1/retry', { by: 'alice' })).body.error.fields).toEqual([
      { path: 'by', message: 'must be the calling service (backoffice) or left out' },
    ]);
    expect((await call('POST', '/sagas/payment:nobody/skip', { reason: 'x' })).status).toBe(404);
    // A refund saga's id is longer than any id a caller gives: still taken.
    expect((await call('POST', `/sagas/refund:${'r'.repeat(maxIdLength)}/retry`)).status).toBe(404);
  });

  it('lists NEEDS_ATTENTION first, retries one and skips another over HTTP, recorded as the calling service', async () => {
    // The inventory behind a proxy that refuses these orders' releases while their stock is counted.
    const counting = new Set(['api-na-1', 'api-na-2']);
    const proxy = await inventoryInStocktake(
      (n) => stack.url(n),
      stack.client,
      (path) => [...counting].some((o) => path === `/reservations/${o}/release`),
    );
    const { activities } = proxy;
    try {
      for (const o of ['API-NA1a', 'API-NA1b', 'API-NA2a', 'API-NA2b', 'API-NEWa', 'API-NEWb']) await db.stock(o, 10);
      await withWorker({ connection: stack.nativeConnection, taskQueue, activities }, async () => {
        const sagaOptions = { attemptsBeforeAttention: 2, backoff: { initial: '200 ms', max: '1 second' } };
        const declined = { paymentMethod: testPaymentMethods.declined };
        const stuckSaga = (n: '1' | '2') =>
          startPayment(stack.client, anOrder(`api-na-${n}`, [`API-NA${n}a`, `API-NA${n}b`], declined), {
            taskQueue,
            sagaOptions,
          });
        const [one, two] = [await stuckSaga('1'), await stuckSaga('2')];
        const stuck = async () =>
          ((await call('GET', '/sagas?status=NEEDS_ATTENTION&flow=paymentSaga&limit=1000')).body.sagas as any[])
            .map((s: { workflowId: string }) => s.workflowId)
            .filter((id) => id.startsWith('payment:api-na-'))
            .sort();
        await expect.poll(stuck, { timeout: 30_000, interval: 500 }).toEqual(['payment:api-na-1', 'payment:api-na-2']);
        // A newer saga that completes: newest first would list it before the stuck ones.
        await (await startPayment(stack.client, anOrder('api-new', ['API-NEWa', 'API-NEWb']), { taskQueue })).result();
        await expect
          .poll(async () => (await call('GET', '/sagas?orderId=api-new')).body.sagas[0]?.sagaStatus, {
            timeout: 20_000,
          })
          .toBe('COMPLETED');
        const listed = (await call('GET', '/sagas?flow=paymentSaga&limit=1000', undefined, reporting)).body.sagas as {
          workflowId: string;
          sagaStatus?: string;
        }[];
        const firstOther = listed.findIndex((s) => s.sagaStatus !== 'NEEDS_ATTENTION');
        expect(firstOther).toBeGreaterThan(0);
        expect(listed.slice(firstOther).filter((s) => s.sagaStatus === 'NEEDS_ATTENTION')).toEqual([]);
        expect(listed.map((s) => s.workflowId)).toEqual(
          expect.arrayContaining(['payment:api-na-1', 'payment:api-na-2', 'payment:api-new']),
        );
        const read = await call('GET', '/payments/api-na-1');
        expect(read.body.saga).toMatchObject({
          status: 'NEEDS_ATTENTION',
          attention: [{ step: 'reserve-stock', phase: 'compensation', error: expect.stringContaining('Stocktake') }],
        });
        expect(await db.stockOf('API-NA1a')).toEqual({ available: 8, reserved: 2, sold: 0 }); // still held

        counting.delete('api-na-1');
        const retried = await call('POST', '/sagas/payment:api-na-1/retry', undefined, backoffice, 'retry-na-1');
        expect(retried.status).toBe(200);
        expect(retried.headers.get('idempotent-replayed')).toBe('false');
        expect(retried.body.operatorActions).toEqual([
          expect.objectContaining({ action: 'retry', step: 'reserve-stock', phase: 'compensation', by: 'backoffice' }),
        ]);
        const replay = await call('POST', '/sagas/payment:api-na-1/retry', undefined, backoffice, 'retry-na-1');
        expect(replay).toMatchObject({ status: 200, body: retried.body });
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        await expect(one.result()).rejects.toThrow();
        const closed = await call('POST', '/sagas/payment:api-na-1/retry');
        expect(closed.status).toBe(409);
        expect(closed.body.error).toEqual({
          type: 'ActionRefused',
          message: expect.stringMatching(/^payment:api-na-1 is closed: it FAILED \(COMPENSATED\) at \d{4}-/) as string,
        });

        expect((await call('POST', '/sagas/payment:api-na-2/skip', {})).body.error.fields).toEqual([
          { path: 'reason', message: expect.any(String) },
        ]);
        const skipped = await call('POST', '/sagas/payment:api-na-2/skip', { reason: 'counted by hand' }, helpdesk);
        expect(skipped.status).toBe(200);
        expect(skipped.body.operatorActions).toEqual([
          expect.objectContaining({ action: 'skip', step: 'reserve-stock', by: 'helpdesk', reason: 'counted by hand' }),
        ]);
        await expect(two.result()).rejects.toThrow();
        const after = await call('GET', '/payments/api-na-2');
        expect(after.body.saga.operatorActions).toEqual(skipped.body.operatorActions);
      });
      // Retried: the stock came back. Skipped: the release was given up, the stock stays reserved.
      expect(await db.stockOf('API-NA1a')).toEqual({ available: 10, reserved: 0, sold: 0 });
      expect(await db.stockOf('API-NA2a')).toEqual({ available: 8, reserved: 2, sold: 0 });
      expect((await db.orderOf('api-na-1')).status).toBe('CANCELLED');
      expect((await db.orderOf('api-na-2')).status).toBe('CANCELLED');
    } finally {
      await proxy.close();
    }
  });

  it('cancels a running saga over HTTP: undone, and its history says which service asked and why', async () => {
    await db.stock('API-C1a', 10);
    await db.stock('API-C1b', 10);
    const input = anOrder('api-c1', ['API-C1a', 'API-C1b'], { paymentMethod: testPaymentMethods.slow });
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      const handle = await startPayment(stack.client, input, { taskQueue });
      await expect
        .poll(
          async () =>
            (
              (await call('GET', '/payments/api-c1')).body.saga?.steps as { name: string; status: string }[] | undefined
            )?.find((s) => s.name === 'charge-card')?.status,
          { timeout: 20_000, interval: 50 },
        )
        .toBe('running');
      const notWaiting = await call('POST', '/sagas/payment:api-c1/retry');
      expect(notWaiting.status).toBe(409);
      expect(notWaiting.body.error.type).toBe('ActionRefused');
      const body = { reason: 'the customer called' };
      const cancelled = await call('POST', '/sagas/payment:api-c1/cancel', body, backoffice, 'cancel-c1');
      expect(cancelled).toMatchObject({ status: 202, body: { workflowId: 'payment:api-c1', cancelRequested: true } });
      const again = await call('POST', '/sagas/payment:api-c1/cancel', body, backoffice, 'cancel-c1');
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      await handle.result().catch(() => undefined);
      expect(await cancelRequest('payment:api-c1')).toMatchObject({
        identity: 'backoffice',
        cause: 'the customer called',
      });
      // The charge request is still at the gateway (3 s); the refund came first and voided it.
      await new Promise((r) => setTimeout(r, 3500));
      const closed = await call('POST', '/sagas/payment:api-c1/cancel');
      expect(closed.status).toBe(409);
      expect(closed.body.error.message).toMatch(/^payment:api-c1 is closed: it CANCELLED/);
      expect((await call('GET', '/payments/api-c1')).body).toMatchObject({ status: 'CANCELLED' });
    });
    expect((await db.chargesOf('api-c1')).filter((c) => c.status === 'CAPTURED')).toEqual([]);
    expect(await db.stockOf('API-C1a')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect((await db.orderOf('api-c1')).status).toBe('CANCELLED');
  });
});
