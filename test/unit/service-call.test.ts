import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createInventoryActivities } from '../../activities/inventory';
import type { Reservation } from '../../contracts/wire/inventory';
import { isBusinessRefusal } from '../../workflows/saga/errors';

/** A fetch stand-in that answers with `status` and `body`, and records what it was sent. */
function fakeFetch(status: number, body: unknown) {
  return rawFetch(status, JSON.stringify(body), 'application/json');
}

/** A fetch stand-in that answers `text` as it is (an HTML page from a proxy, say). */
function rawFetch(status: number, text: string, contentType = 'text/html') {
  const sent: { url: string; init: RequestInit }[] = [];
  const impl: typeof fetch = async (url, init) => {
    sent.push({ url: url instanceof Request ? url.url : url.toString(), init: init ?? {} });
    return new Response(text, { status, headers: { 'content-type': contentType } });
  };
  return { sent, fetch: impl };
}

const token = 'inventory-test-token-of-32-characters';

const reserveWith = (impl: typeof fetch) =>
  new MockActivityEnvironment()
    .run(createInventoryActivities({ baseUrl: 'http://inventory.test', token, fetch: impl }).reserveStock, input)
    .catch((e: unknown) => e);

const input = { reservationId: 'r1', items: [{ sku: 'A', quantity: 1 }], idempotencyKey: 'hold:r1:reserve-stock' };

describe('inventory activities over HTTP', () => {
  it('sends the idempotency key and returns the body', async () => {
    const { sent, fetch } = fakeFetch(201, { reservationId: 'r1', status: 'RESERVED', items: input.items });
    const activities = createInventoryActivities({ baseUrl: 'http://inventory.test', token, fetch });
    const result: Reservation = await new MockActivityEnvironment().run(activities.reserveStock, input);
    expect(result.status).toBe('RESERVED');
    expect(sent[0]?.url).toBe('http://inventory.test/reservations');
    expect((sent[0]?.init.headers as Record<string, string>)['idempotency-key']).toBe('hold:r1:reserve-stock');
    expect((sent[0]?.init.headers as Record<string, string>).authorization).toBe(`Bearer ${token}`);
  });

  it('turns a business refusal into a non-retryable failure of the same type', async () => {
    const { fetch } = fakeFetch(422, { error: { type: 'OutOfStock', message: 'not enough stock of A for 1' } });
    const activities = createInventoryActivities({ baseUrl: 'http://inventory.test', token, fetch });
    const err = await new MockActivityEnvironment().run(activities.reserveStock, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'OutOfStock', nonRetryable: true });
    expect(isBusinessRefusal(err)).toBe(true);
  });

  it.each([500, 503, 429, 408])('leaves %i retryable (a plain error)', async (status) => {
    const { fetch } = fakeFetch(status, { error: { type: 'Unavailable', message: 'try later' } });
    const activities = createInventoryActivities({ baseUrl: 'http://inventory.test', token, fetch });
    const err = await new MockActivityEnvironment().run(activities.reserveStock, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
  });

  it('leaves a network error retryable', async () => {
    const activities = createInventoryActivities({ baseUrl: 'http://127.0.0.1:1', token, requestTimeoutMs: 2000 });
    const err = await new MockActivityEnvironment().run(activities.releaseStock, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect((err as Error).message).toContain('/reservations/r1/release failed');
  });

  it('makes a 4xx with a non-JSON body a non-retryable failure naming the status and path', async () => {
    const err = await reserveWith(rawFetch(404, '<html><body>Not Found</body></html>').fetch);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'Http404', nonRetryable: true });
    expect((err as Error).message).toContain('POST /reservations answered 404');
  });

  it('leaves a 5xx with a non-JSON body retryable', async () => {
    const err = await reserveWith(rawFetch(502, '<html>Bad Gateway</html>').fetch);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect((err as Error).message).toContain('POST /reservations answered 502');
  });

  it('makes a 2xx whose body breaks the contract a non-retryable failure naming the field', async () => {
    const { fetch } = fakeFetch(201, { reservationId: 'r1', status: 'MAYBE', items: input.items });
    const err = await reserveWith(fetch);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidResponse', nonRetryable: true });
    expect((err as Error).message).toMatch(/POST \/reservations answered 201 with an unexpected body: status: /);
    // The service acted (2xx): the saga must still undo the step, unlike after a refusal.
    expect(isBusinessRefusal(err)).toBe(false);
  });

  it('makes a 2xx that is not JSON a non-retryable failure', async () => {
    const err = await reserveWith(rawFetch(200, 'OK', 'text/plain').fetch);
    expect(err).toMatchObject({ type: 'InvalidResponse', nonRetryable: true });
    expect(isBusinessRefusal(err)).toBe(false);
    expect((err as Error).message).toContain('not JSON');
  });

  it('drops fields the contract does not name, so callers see only the wire type', async () => {
    const { fetch } = fakeFetch(201, { reservationId: 'r1', status: 'RESERVED', items: input.items, extra: 1 });
    const result = (await reserveWith(fetch)) as Record<string, unknown>;
    expect(result).toEqual({ reservationId: 'r1', status: 'RESERVED', items: input.items });
  });
});
