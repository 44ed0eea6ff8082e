import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
// The one SDK internal left: no public API writes a history as the JSON the replayer reads back
// (`temporal workflow show --output json` does, outside Node). Kept to this recording script.
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities, serviceDeps } from '../../activities';
import {
  approvalActions,
  approvalState,
  startApproval,
  startPayment,
  startReconciliation,
  startRefund,
} from '../../client';
import { defaultRouting } from '../../contracts/approval';
import type { PaymentSagaInput } from '../../contracts/payment';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { projectRoot } from '../../provision/tools';
import { scratchStack } from '../../provision/scratch';
import { serviceNames, type ServiceName } from '../../config';
import { runMain } from '../../config/entry';
import { checkout, flashSalePurchase, sagaStateQuery } from '../../workflows';
import { createSagaWorker } from '../../apps/worker/worker';
import { testPolicy } from '../support/policy';

const outDir = join(projectRoot, 'test', 'histories');
const taskQueue = 'record-histories';

/** One recorded path: starts the workflow, drives it, and returns the handle once it has closed. */
type Scenario = (client: Client, seed: Seeder) => Promise<WorkflowHandle>;
type Seeder = (path: string, body: unknown) => Promise<void>;

const order = (orderId: string, card: string, couponCode?: string): PaymentSagaInput => ({
  orderId,
  customerId: `cust-${orderId}`,
  currency: 'EUR',
  items: [
    { sku: 'REC-A', quantity: 2, unitPriceCents: 1500 },
    { sku: 'REC-B', quantity: 1, unitPriceCents: 2000 },
  ],
  paymentMethod: card,
  ...(couponCode ? { couponCode } : {}),
});

const checkoutOf = (orderId: string, card: string) => ({
  ...order(orderId, card, `${orderId}-SAVE`),
  walletCents: 1000,
});

const scenarios: Record<string, Scenario> = {
  'checkout-success': async (client, seed) => {
    await seed('coupon /coupons/rec-co-ok-SAVE', { discountCents: 500 });
    await seed('wallet /accounts/cust-rec-co-ok/balance', { balanceCents: 5000 });
    const handle = await client.workflow.start(checkout, {
      taskQueue,
      workflowId: 'checkout:rec-co-ok',
      args: [checkoutOf('rec-co-ok', testPaymentMethods.success)],
    });
    await handle.result();
    return handle;
  },
  'checkout-declined': async (client, seed) => {
    await seed('coupon /coupons/rec-co-declined-SAVE', { discountCents: 500 });
    await seed('wallet /accounts/cust-rec-co-declined/balance', { balanceCents: 5000 });
    const handle = await client.workflow.start(checkout, {
      taskQueue,
      workflowId: 'checkout:rec-co-declined',
      args: [checkoutOf('rec-co-declined', testPaymentMethods.declined)],
    });
    await handle.result().catch(() => undefined);
    return handle;
  },
  'flash-sale-success': async (client, seed) => {
    await seed('inventory /stock/REC-HOT', { available: 5 });
    const input = {
      orderId: 'rec-flash',
      customerId: 'cust-rec-flash',
      currency: 'EUR' as const,
      sku: 'REC-HOT',
      quantity: 1,
      unitPriceCents: 999,
      paymentMethod: testPaymentMethods.success,
    };
    const handle = await client.workflow.start(flashSalePurchase, {
      taskQueue,
      workflowId: 'flash:rec-flash',
      args: [input],
    });
    await handle.result();
    return handle;
  },
  'payment-saga-success': async (client, seed) => {
    await seed('coupon /coupons/REC-SAVE5', { discountCents: 500 });
    const handle = await startPayment(client, order('rec-success', testPaymentMethods.success, 'REC-SAVE5'), {
      taskQueue,
    });
    await handle.result();
    return handle;
  },
  'payment-saga-declined': async (client, seed) => {
    await seed('coupon /coupons/REC-SAVE6', { discountCents: 600 });
    const handle = await startPayment(client, order('rec-declined', testPaymentMethods.declined, 'REC-SAVE6'), {
      taskQueue,
    });
    await handle.result().catch(() => undefined);
    return handle;
  },
  'payment-saga-polled': async (client) => {
    // No callback ever comes: the saga asks the gateway after its callback timeout.
    const sagaOptions = { payment: { callbackTimeout: '1 second', poll: { initial: '500 ms', max: '2 seconds' } } };
    const handle = await startPayment(client, order('rec-polled', testPaymentMethods.noCallback), {
      taskQueue,
      sagaOptions,
    });
    await handle.result();
    return handle;
  },
  'payment-saga-unpaid-deadline': async (client) => {
    // Not paid in time: the order is given up; the capture that still comes is refunded.
    const sagaOptions = { payment: { unpaidDeadline: '1500 ms', callbackTimeout: '10 seconds' } };
    const handle = await startPayment(client, order('rec-deadline', testPaymentMethods.lateSuccess), {
      taskQueue,
      sagaOptions,
    });
    await handle.result().catch(() => undefined);
    return handle;
  },
  reconciliation: async (client) => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    const handle = await startReconciliation(client, { taskQueue, runId: 'rec', from, to });
    await handle.result();
    return handle;
  },
  'refund-saga-partial': async (client) => {
    await (await startPayment(client, order('rec-refund', testPaymentMethods.success), { taskQueue })).result();
    const refund = {
      refundId: 'rec-refund-1',
      orderId: 'rec-refund',
      amountCents: 1500,
      reason: 'returned',
      requestedBy: 'agent-1',
    };
    const handle = await startRefund(client, { ...refund, items: [{ sku: 'REC-A', quantity: 1 }] }, { taskQueue });
    await handle.result();
    return handle;
  },
  'refund-saga-approved': async (client) => {
    await (await startPayment(client, order('rec-refund-big', testPaymentMethods.success), { taskQueue })).result();
    const refund = {
      refundId: 'rec-refund-2',
      orderId: 'rec-refund-big',
      amountCents: 5000,
      reason: 'never arrived',
      requestedBy: 'agent-1',
    };
    const handle = await startRefund(client, refund, { taskQueue }); // above the worker's threshold below
    await until(
      async () => (await approvalState(client, 'refund:rec-refund-2').catch(() => undefined))?.status === 'PENDING',
    );
    await approvalActions.approve(client, 'refund:rec-refund-2', { by: 'tl-support', comment: 'courier lost it' });
    await handle.result();
    return handle;
  },
  'approval-flow-escalated': async (client) => {
    // The team lead does not answer within the 2 s SLA: it goes to the deputy, who approves.
    const handle = await startApproval(client, approvalOf('rec-approval-1', { slaPerLevelMs: 2000 }), { taskQueue });
    await until(async () => (await approvalState(client, 'rec-approval-1')).currentApprover === 'tl-support-deputy');
    await approvalActions.approve(client, 'rec-approval-1', { by: 'tl-support-deputy' });
    await handle.result();
    return handle;
  },
  'approval-flow-purchase-rejected': async (client, seed) => {
    await seed('approvals /budgets/support', { totalCents: 1_000_000 });
    await seed('approvals /budgets/sales', { totalCents: 1_000_000 });
    const budget = [
      { department: 'support', amountCents: 30_000 },
      { department: 'sales', amountCents: 20_000 },
    ];
    const handle = await startApproval(client, approvalOf('rec-approval-2', { budget }), { taskQueue });
    await until(async () => (await approvalState(client, 'rec-approval-2')).status === 'PENDING');
    await approvalActions.reject(client, 'rec-approval-2', { by: 'tl-support', reason: 'not this quarter' });
    await handle.result();
    return handle;
  },
  'approval-flow-expired': async (client) => {
    const handle = await startApproval(
      client,
      approvalOf('rec-approval-3', { slaPerLevelMs: 2000, deadlineMs: 3000 }),
      {
        taskQueue,
      },
    );
    await handle.result();
    return handle;
  },
  'payment-saga-cancelled': async (client) => {
    const handle = await startPayment(client, order('rec-cancelled', testPaymentMethods.slow), { taskQueue });
    for (;;) {
      const state = await handle.query(sagaStateQuery);
      if (state.steps.find((s) => s.name === 'charge-card')?.status === 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await handle.cancel();
    await handle.result().catch(() => undefined);
    return handle;
  },
};

/** A purchase request of 500.00 from support (one level: its team lead). */
function approvalOf(requestId: string, extra: Record<string, unknown> = {}) {
  return {
    requestId,
    kind: 'purchase' as const,
    requester: 'dev-1',
    department: 'support',
    amountCents: 50_000,
    currency: 'EUR' as const,
    description: 'two monitors',
    slaPerLevelMs: 60_000,
    deadlineMs: 600_000,
    routing: defaultRouting,
    ...extra,
  };
}

async function until(ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the scenario never got where it was going');
}

/**
 * `npm run record-histories [-- name ...]`: runs each scenario for real (a fresh dev server, the
 * project's PostgreSQL, the services over HTTP, the current workflow code) and writes its history
 * to test/histories/<name>.json in the format of `temporal workflow show --output json`. Histories
 * of older workflow code stay in their own folders (test/histories/before-*), replayed all the same.
 */
async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const wanted = process.argv.slice(2);
  const stack = await scratchStack({
    database: 'saga_record',
    services: [...serviceNames],
    temporal: true,
    gatewayTimings: { settleMs: 50, callbackDelayMs: 1500, lateMs: 3000, hangMs: 5000 },
  });
  const { services } = stack;
  const { client, server } = stack.temporal!;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  try {
    const urls = services.urls as Record<ServiceName, string>;
    /** `seed('<service> <path>', body)`: a PUT that sets up a participant's data. */
    const seed: Seeder = async (target, body) => {
      const [service, path] = target.split(' ') as [ServiceName, string];
      await fetch(`${urls[service]}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.callers.operator}` },
        body: JSON.stringify(body),
      });
    };
    for (const sku of ['REC-A', 'REC-B']) await seed(`inventory /stock/${sku}`, { available: 100 });
    const worker = await createSagaWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: createActivities(serviceDeps(urls, stack.tokens.callers.worker), client),
      // Between the two refunds: the partial one goes through, the other waits for its approval.
      policy: { refund: { ...testPolicy.refund, approvalThresholdCents: 2000 } },
    });
    await worker.runUntil(async () => {
      mkdirSync(outDir, { recursive: true });
      for (const [name, scenario] of Object.entries(scenarios)) {
        if (wanted.length > 0 && !wanted.includes(name)) continue;
        const handle = await scenario(client, seed);
        const file = join(outDir, `${name}.json`);
        writeFileSync(file, historyToJSON(await handle.fetchHistory()) + '\n');
        console.log(`recorded ${file}`);
      }
    });
  } finally {
    await nativeConnection.close();
    await stack.close();
  }
}

runMain(run);
