import { describe, expect, it } from 'vitest';
import {
  awaitsGateway,
  businessKeyOf,
  flowOfWorkflowId,
  flows,
  flowTypes,
  type FlowTypeName,
} from '../../contracts/flows';
import type * as workflows from '../../workflows';

// Every registered type is an exported workflow function: a renamed workflow does not compile here.
const exported: { [K in FlowTypeName]: (typeof workflows)[K] } | undefined = undefined;

describe('the flows registry', () => {
  it('builds ids from business keys and parses them back to their flow', () => {
    expect(flows.paymentSaga.id('o-1')).toBe('payment:o-1');
    expect(flows.refundSaga.id('r-1')).toBe('refund:r-1');
    expect(flows.approvalFlow.id('q-1')).toBe('approval:q-1');
    expect(flows.checkout.id('o-2')).toBe('checkout:o-2');
    expect(flows.flashSalePurchase.id('o-3')).toBe('flash:o-3');
    for (const flow of Object.values(flows)) expect(flowOfWorkflowId(flow.id('k:1'))).toBe(flow);
    // A refund's approval is an approval whose business key is the refund's id.
    const child = flows.approvalFlow.id(flows.refundSaga.id('r-2'));
    expect(flowOfWorkflowId(child)).toBe(flows.approvalFlow);
    expect(businessKeyOf(flows.approvalFlow, child)).toBe('refund:r-2');
    expect(businessKeyOf(flows.approvalFlow, 'payment:o-1')).toBeUndefined();
    expect(flowOfWorkflowId('nobody:1')).toBeUndefined();
  });

  it('has one record per type, each prefix once', () => {
    expect(exported).toBeUndefined();
    expect(flowTypes).toEqual(Object.keys(flows));
    const prefixes = Object.values(flows).map((f) => f.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('signals the gateway only to flows that wait for it', () => {
    expect(['payment:o', 'checkout:o', 'flash:o', 'refund:r'].filter(awaitsGateway)).toHaveLength(4);
    expect(['approval:q', 'reconciliation:x', 'payment', 'paymentx:o', 'other:o'].filter(awaitsGateway)).toEqual([]);
  });
});
