import { describe, expect, it } from 'vitest';
import { domainEvent, eventSubject } from '../../contracts/events';

const paid = {
  id: '6f1c2a7e-3b7d-4c1e-9a51-2f0c8d7e9b10',
  type: 'order.paid',
  version: 1,
  aggregateId: 'o-1',
  occurredAt: '2026-12-02T10:00:00.000Z',
  data: { orderId: 'o-1', customerId: 'c-1', currency: 'EUR', paidCents: 5000, cardCents: 4000 },
};

describe('domain events', () => {
  it('puts the aggregate and its id in the subject, with a dot in an id kept out of the tokens', () => {
    expect(eventSubject({ type: 'order.paid', aggregateId: 'o-1' })).toBe('shop.order.o-1.order.paid');
    expect(eventSubject({ type: 'refund.completed', aggregateId: 'o.2' })).toBe('shop.order.o%2E2.refund.completed');
    expect(eventSubject({ type: 'points.changed', aggregateId: 'c-1' })).toBe('shop.customer.c-1.points.changed');
  });

  it('accepts an event of a known type and version, and names the field of one that is not', () => {
    expect(domainEvent.parse(paid)).toEqual(paid);
    const issues = (value: unknown) => domainEvent.safeParse(value).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ ...paid, version: 2 })).toEqual(['version']);
    expect(issues({ ...paid, data: { ...paid.data, paidCents: -1 } })).toEqual(['data.paidCents']);
    expect(issues({ ...paid, data: { ...paid.data, extra: true } })).toEqual(['data']);
    expect(issues({ ...paid, type: 'order.shipped' })).toEqual(['type']);
  });
});
