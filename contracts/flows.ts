/**
 * The flows registry: one record per flow, the only place that spells a flow's workflow type and
 * its workflow id prefix. Starters, the list filter, the CLI, the HTTP API and billing's delivery
 * read them from here. A new flow adds its record here and its workflow file; nothing else
 * repeats a prefix or a type string.
 */
import type { defineSearchAttributeKey } from '@temporalio/common';
import * as approval from './approval';
import * as channel from './payment-channel';
import * as saga from './saga';
import { AmountCents, CustomerId, FlowType, OrderId, SagaStatus } from './search-attributes';

export interface FlowRecord<T extends string = string, P extends string = string> {
  /** The workflow type: the exported name of the workflow function, and the `FlowType` attribute. */
  type: T;
  /** What a workflow id starts with, before the `:`. */
  prefix: P;
  /** The search attributes its runs carry. */
  searchAttributes: readonly ReturnType<typeof defineSearchAttributeKey>[];
  /** True when the gateway echoes its workflow id as a charge's `reference` and signals it. */
  awaitsGateway: boolean;
  /** Its handlers, defined once in contracts and imported by the workflow, the client and the tests. */
  signals: Record<string, { type: 'signal'; name: string }>;
  queries: Record<string, { type: 'query'; name: string }>;
  updates: Record<string, { type: 'update'; name: string }>;
}

type Handlers = Pick<FlowRecord, 'signals' | 'queries' | 'updates'>;

function defineFlow<const T extends string, const P extends string, const H extends Handlers>(
  record: Omit<FlowRecord<T, P>, keyof Handlers> & H,
) {
  return {
    ...record,
    /** The workflow id for a business key: `<prefix>:<key>`, so one key has one run. */
    id: (key: string): `${P}:${string}` => `${record.prefix}:${key}`,
  };
}

const sagaHandlers = {
  queries: { sagaState: saga.sagaStateQuery },
  updates: { retry: saga.retryUpdate, skip: saga.skipUpdate },
};
const gatewayHandlers = {
  signals: { paymentEvent: channel.paymentEventSignal },
  queries: { ...sagaHandlers.queries, paymentStatus: channel.paymentStatusQuery },
  updates: sagaHandlers.updates,
};
const orderAttributes = [FlowType, SagaStatus, OrderId, CustomerId, AmountCents] as const;

export const flows = {
  /** `payment:<orderId>`: the order's payment saga, started by the order outbox. */
  paymentSaga: defineFlow({
    type: 'paymentSaga',
    prefix: 'payment',
    searchAttributes: orderAttributes,
    awaitsGateway: true,
    ...gatewayHandlers,
  }),
  /** `checkout:<orderId>`: wallet, coupon and card in one TCC checkout. */
  checkout: defineFlow({
    type: 'checkout',
    prefix: 'checkout',
    searchAttributes: orderAttributes,
    awaitsGateway: true,
    ...gatewayHandlers,
  }),
  /** `flash:<orderId>`: one buyer's purchase of a hot SKU. */
  flashSalePurchase: defineFlow({
    type: 'flashSalePurchase',
    prefix: 'flash',
    searchAttributes: orderAttributes,
    awaitsGateway: true,
    ...gatewayHandlers,
  }),
  /** `refund:<refundId>`: money back, points revoked, stock returned. */
  refundSaga: defineFlow({
    type: 'refundSaga',
    prefix: 'refund',
    searchAttributes: orderAttributes,
    awaitsGateway: true,
    ...gatewayHandlers,
  }),
  /** `approval:<requestId>`: levels of approvers with SLAs; a refund's is `approval:refund:<refundId>`. */
  approvalFlow: defineFlow({
    type: 'approvalFlow',
    prefix: 'approval',
    searchAttributes: [FlowType, SagaStatus, AmountCents],
    awaitsGateway: false,
    signals: {},
    queries: { approvalState: approval.approvalStateQuery },
    updates: {
      approve: approval.approveUpdate,
      reject: approval.rejectUpdate,
      delegate: approval.delegateUpdate,
      comment: approval.commentUpdate,
      withdraw: approval.withdrawUpdate,
    },
  }),
  /** `reconciliation:<runId>` for a manual run; the schedule's runs are `reconciliation` alone. */
  reconciliation: defineFlow({
    type: 'reconciliation',
    prefix: 'reconciliation',
    searchAttributes: [FlowType, SagaStatus],
    awaitsGateway: false,
    signals: {},
    queries: {},
    updates: {},
  }),
  /** `retention:<runId>` for a manual run; the schedule's runs are `retention` alone. */
  retention: defineFlow({
    type: 'retention',
    prefix: 'retention',
    searchAttributes: [FlowType],
    awaitsGateway: false,
    signals: {},
    queries: {},
    updates: {},
  }),
  /** `flash-gate-check` for the schedule's runs: the flash-sale gate against the database. */
  flashSaleGateCheck: defineFlow({
    type: 'flashSaleGateCheck',
    prefix: 'flash-gate-check',
    searchAttributes: [FlowType],
    awaitsGateway: false,
    signals: {},
    queries: {},
    updates: {},
  }),
} as const;

export type FlowName = keyof typeof flows;
export type Flow = (typeof flows)[FlowName];

/** Every flow's workflow type, for filters and CLI choices. */
export const flowTypes = Object.values(flows).map((f) => f.type) as [Flow['type'], ...Flow['type'][]];
export type FlowTypeName = Flow['type'];

/**
 * The flow a workflow id belongs to, by its prefix (`approval:refund:r-1` is an approval), or
 * undefined for an id no flow makes. A bare prefix (the scheduled `reconciliation`) counts too.
 */
export function flowOfWorkflowId(workflowId: string): Flow | undefined {
  const prefix = workflowId.split(':', 1)[0];
  return Object.values(flows).find((f) => f.prefix === prefix);
}

/** The business key of a workflow id of `flow` (`payment:o-1` → `o-1`), or undefined for another flow's id. */
export function businessKeyOf(flow: Flow, workflowId: string): string | undefined {
  return workflowId.startsWith(`${flow.prefix}:`) ? workflowId.slice(flow.prefix.length + 1) : undefined;
}

/** True when the gateway's `reference` names a flow that waits for its callbacks. */
export function awaitsGateway(reference: string): boolean {
  const flow = flowOfWorkflowId(reference);
  return flow?.awaitsGateway === true && businessKeyOf(flow, reference) !== undefined;
}

/** What became of a flow's run: still running, completed, closed otherwise (failed, cancelled, terminated), or never was. */
export type FlowRunState = 'running' | 'completed' | 'closed' | 'not-found';
