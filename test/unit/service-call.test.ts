import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createInventoryActivities } from '../../activities/inventory';
import type { Reservation } from '../../services/inventory/schema';

/** A fetch stand-in that answers with `status` and `body`, and records what it was sent. */
function fakeFetch(status: number, body: unknown) {
  const sent: { url: string; init: RequestInit }[] = [];
  const impl: typeof fetch = async (url, init) => {
    sent.push({ url: url instanceof Request ? url.url : url.toString(), init: init ?? {} });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { sent, fetch: impl };
}

const input = { reservationId: 'r1', items: [{ sku: 'A', quantity: 1 }], idempotencyKey: 'hold:r1:reserve-stock' };

describe('inventory activities over HTTP', () => {
  it('sends the idempotency key and returns the body', async () => {
    const { sent, fetch } = fakeFetch(201, { reservationId: 'r1', status: 'RESERVED', items: input.items });
    const activities = createInventoryActivities({ baseUrl: 'http://inventory.test', fetch });
    const result: Reservation = await new MockActivityEnvironment().run(activities.reserveStock, input);
    expect(result.status).toBe('RESERVED');
    expect(sent[0]?.url).toBe('http://inventory.test/reservations');
    expect((sent[0]?.init.headers as Record<string, string>)['idempotency-key']).toBe('hold:r1:reserve-stock');
  });

  it('turns a business refusal into a non-retryable failure of the same type', async () => {
    const { fetch } = fakeFetch(422, { error: { type: 'OutOfStock', message: 'not enough stock of A for 1' } });
    const activities = createInventoryActivities({ baseUrl: 'http://inventory.test', fetch });
    const err = await new MockActivityEnvironment().run(activities.reserveStock, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'OutOfStock', nonRetryable: true });
  });

  it.each([500, 503, 429, 408])('leaves %i retryable (a plain error)', async (status) => {
    const { fetch } = fakeFetch(status, { error: { type: 'Unavailable', message: 'try later' } });
    const activities = createInventoryActivities({ baseUrl: 'http://inventory.test', fetch });
    const err = await new MockActivityEnvironment().run(activities.reserveStock, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
  });

  it('leaves a network error retryable', async () => {
    const activities = createInventoryActivities({ baseUrl: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
    const err = await new MockActivityEnvironment().run(activities.releaseStock, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect((err as Error).message).toContain('/reservations/r1/release failed');
  });
});
