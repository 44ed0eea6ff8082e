import { flows } from '../contracts/flows';
import type { Client } from '@temporalio/client';
import { startPayment } from '../client';
import type { Activities } from '../activities';
import type { PaymentSagaInput } from '../contracts/payment';
import { testPaymentMethods } from '../simulators/gateway/cards';
import { plainPayment } from './plain';
import { TASK_QUEUE } from './settings';
import type { chainSaga, floorSaga } from './workflows';

export type Outcome = 'COMPLETED' | 'COMPENSATED';
/** One system under test: runs saga `id` (a refusal at the charge when `fail`). */
export interface System {
  name: string;
  run(id: string, fail: boolean): Promise<Outcome>;
  /** Workflow id of saga `id`, for counting its history events (engine systems). */
  workflowId?: (id: string) => string;
}

export const PAYMENT_STEPS = 6; // validate, reserve, charge [pivot], award points, ship, mark paid
export const CHARGE_STEP = 2;

/** The benchmark's order `id`: two lines, paid by a card that is declined when `fail`. */
export const order = (id: string, fail: boolean): PaymentSagaInput => ({
  orderId: id,
  customerId: `bench-${id.length % 50}`,
  currency: 'EUR',
  items: [
    { sku: 'BENCH-A', quantity: 2, unitPriceCents: 1500 },
    { sku: 'BENCH-B', quantity: 1, unitPriceCents: 2000 },
  ],
  paymentMethod: fail ? testPaymentMethods.declined : testPaymentMethods.success,
});

/** A saga's end as the benchmark counts it: a compensated saga fails with `SagaFailed`; any other failure throws. */
export const engineOutcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    () => 'COMPLETED' as const,
    (err: { cause?: { type?: string } }) => {
      if (err.cause?.type === 'SagaFailed') return 'COMPENSATED' as const;
      throw err as Error;
    },
  );

/** The benchmark's own workflows, by type, and the prefix of their ids. */
interface EngineWorkflows {
  floorSaga: typeof floorSaga;
  chainSaga: typeof chainSaga;
}
const idPrefix: Record<keyof EngineWorkflows, string> = { floorSaga: 'floor', chainSaga: 'chain' };

/** A system that runs one of the benchmark's workflows to its end, with `args` for saga `id`. */
export function engineSystem<K extends keyof EngineWorkflows>(
  client: Client,
  name: string,
  workflowType: K,
  args: (id: string, fail: boolean) => Parameters<EngineWorkflows[K]>,
): System {
  const workflowId = (id: string) => `${idPrefix[workflowType]}:${id}`;
  return {
    name,
    workflowId,
    async run(id, fail) {
      const result = await client.workflow.execute<EngineWorkflows[K]>(workflowType, {
        taskQueue: TASK_QUEUE,
        workflowId: workflowId(id),
        args: args(id, fail),
      });
      return result === 'COMPENSATED' ? 'COMPENSATED' : 'COMPLETED';
    },
  };
}

/** (a) plain, (b) engine floor, (c) our paymentSaga: the three systems every workload compares. */
export function baseSystems(client: Client, act: Activities) {
  const plain: System = { name: 'a plain', run: (id, fail) => plainPayment(act, order(id, fail)) };
  const floor = engineSystem(client, 'b engine floor', 'floorSaga', (_id, fail) => [
    { steps: PAYMENT_STEPS, ...(fail ? { failAt: CHARGE_STEP } : {}) },
  ]);
  const saga = (name: string, localActivities: boolean): System => ({
    name,
    workflowId: (id) => flows.paymentSaga.id(id),
    run: (id, fail) =>
      engineOutcome(
        startPayment(client, order(id, fail), {
          taskQueue: TASK_QUEUE,
          ...(localActivities ? { sagaOptions: { localActivities } } : {}),
        }).then((h) => h.result()),
      ),
  });
  const ours = saga('c paymentSaga', false);
  return { plain, floor, ours, saga, trio: [plain, floor, ours] };
}
export type BaseSystems = ReturnType<typeof baseSystems>;
