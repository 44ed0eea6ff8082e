import type { Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Finding, ReconciliationData, ReconciliationReport } from '../contracts/reconciliation';
import { deferredOrders, orphanedCallbacks, reconciliationReport } from '../contracts/wire/billing';
import { chargeList } from '../contracts/wire/gateway';
import type { Order } from '../contracts/wire/order';
import { workflowState } from './workflow-state';
import { callService, type ServiceClientDeps } from './http';
import { createOrderActivities } from './order';
import { createPaymentsActivities } from './payments';

/** Tells Temporal the gathering is alive (it may take a while); a no-op outside an activity. */
function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // not inside an activity
  }
}

/**
 * Reconciliation activities: one read-only gathering of everything a run compares (retried freely),
 * and the storing of its report (idempotent on the report id). Repairs reuse the payments and
 * order activities with keys of their own.
 */
export function createReconciliationActivities(deps: {
  order: ServiceClientDeps;
  payments: ServiceClientDeps;
  billing: ServiceClientDeps;
  /** Tells whether a charge's workflow still runs; without it reconciliation refuses to run. */
  client?: Client;
}) {
  const orders = createOrderActivities(deps.order);
  const gateway = createPaymentsActivities(deps.payments);
  return {
    /**
     * The statement of [from, to), every order it or an orphaned callback names plus the orders
     * paid in the window, all gateway charges of those orders, and whether their workflows run.
     * Fails non-retryably (`NotConfigured`) without a Temporal client; otherwise as its calls do.
     */
    async gatherReconciliationData(input: { from: string; to: string }): Promise<ReconciliationData> {
      const client = deps.client;
      if (client === undefined) {
        throw ApplicationFailure.nonRetryable('reconciliation needs a Temporal client', 'NotConfigured');
      }
      const [entries, paid, orphans, deferred] = await Promise.all([
        gateway.fetchStatement(input),
        orders.findOrders({ paidFrom: input.from, paidTo: input.to }),
        callService(deps.billing, { method: 'GET', path: '/callbacks/orphaned' }, orphanedCallbacks),
        callService(deps.billing, { method: 'GET', path: '/reconciliation/deferred' }, deferredOrders),
      ]);
      const ids = [
        ...new Set([
          ...entries.map((e) => e.orderId),
          ...paid.map((o) => o.orderId),
          ...orphans.map((o) => o.orderId),
          ...deferred,
        ]),
      ].sort();
      const data: ReconciliationData = {
        ...input,
        orders: {},
        charges: {},
        flows: {},
        orphans: orphans.map(({ eventId, orderId }) => ({ eventId, orderId })),
      };
      // Charges and their workflows first, the orders after: a workflow seen closed has already
      // left its order as it will stay, so a saga finishing meanwhile is never mistaken for unpaid.
      for (const id of ids) {
        heartbeat();
        const charges = await callService(
          deps.payments,
          { method: 'GET', path: `/charges?orderId=${encodeURIComponent(id)}` },
          chargeList,
        );
        data.charges[id] = charges;
        for (const c of charges) data.flows[c.reference] ??= await workflowState(client, c.reference);
      }
      const known: Order[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        heartbeat();
        known.push(...(await orders.findOrders({ ids: ids.slice(i, i + 500) })));
      }
      for (const id of ids) {
        const order = known.find((o) => o.orderId === id);
        data.orders[id] = order
          ? { orderId: id, status: order.status, chargeId: order.chargeId, cardCents: order.cardCents }
          : null;
      }
      return data;
    },
    /** Stores the run's report (new findings told from known ones) and marks the orphans handled. */
    async storeReconciliationReport(input: {
      reportId: string;
      from: string;
      to: string;
      findings: Finding[];
      orphanEventIds: string[];
      deferredOrderIds: string[];
      repaired: string[];
    }): Promise<ReconciliationReport> {
      return callService(
        deps.billing,
        { method: 'POST', path: '/reconciliation/reports', body: input, idempotencyKey: `report:${input.reportId}` },
        reconciliationReport,
      );
    },
  };
}
