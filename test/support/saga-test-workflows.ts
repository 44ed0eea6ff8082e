/**
 * Workflows of the saga library's own tests (test/unit/saga-library.test.ts): one scripted saga
 * that knows no application, so the library is exercised without any flow of ours. Bundled on its
 * own for the time-skipping server.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import {
  Saga,
  SKIPPED,
  type AbortStatus,
  type Aborted,
  type SagaOptions,
  type TccTransaction,
} from '../../workflows/saga';

/** The only side effects a scripted saga has: `op` names the step (and branch and phase). */
export interface ScriptActivities {
  work(op: string): Promise<string>;
  undo(op: string): Promise<string>;
}

export type ScriptStep =
  | { kind: 'step'; name: string; undo?: boolean; pivot?: boolean }
  | { kind: 'forward'; name: string; pivot?: boolean }
  | { kind: 'tcc'; name: string; branches: string[] }
  | { kind: 'confirm'; name: string; tcc: string; pivot?: boolean }
  | { kind: 'abort'; reason: string; type?: string; status?: AbortStatus };

export interface Script {
  steps: ScriptStep[];
  parallelUnwind?: boolean;
  /** Search attributes: none, or a status key of the test's choosing (`OrderId`, as any registered keyword). */
  keys?: 'none' | 'status-in-order-id';
  /** With `onAbort`, an abort resolves the run; without, it fails the workflow. */
  handleAbort?: boolean;
}

export interface ScriptResult {
  /** Each step's value; 'SKIPPED' where an operator skipped a step after the pivot. */
  values: Record<string, string>;
  aborted?: Aborted;
}

/** A keyword the test server has registered, used here as if it were a library user's own key. */
export const customStatusKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);

const { work, undo } = proxyActivities<ScriptActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', maximumInterval: '100 ms', maximumAttempts: 2 },
});

/** Runs `script` as one saga, step by step, with 2 saga-level attempts before NEEDS_ATTENTION. */
export async function scriptedSaga(script: Script): Promise<ScriptResult> {
  const options: SagaOptions = {
    flowType: 'scriptedSaga',
    plan: script.steps.flatMap((s) => ('name' in s ? [s.name] : [])),
    parallelUnwind: script.parallelUnwind === true,
    attemptsBeforeAttention: 2,
    backoff: { initial: '1 second', max: '2 seconds' },
    ...(script.keys === 'status-in-order-id' ? { searchAttributes: { status: customStatusKey } } : {}),
  };
  const saga = new Saga(options);
  const values: Record<string, string> = {};
  const transactions = new Map<string, TccTransaction>();
  const body = async () => {
    for (const s of script.steps) {
      if (s.kind === 'abort') return saga.abort(s.reason, s.type, s.status);
      if (s.kind === 'step') {
        const compensate = s.undo === false ? {} : { compensate: () => undo(s.name) };
        values[s.name] = await saga.step(s.name, () => work(s.name), { ...compensate, pivot: s.pivot === true });
      } else if (s.kind === 'forward') {
        const value = await saga.forward(s.name, () => work(s.name), { pivot: s.pivot === true });
        values[s.name] = value === SKIPPED ? 'SKIPPED' : value;
      } else if (s.kind === 'tcc') {
        const branches = s.branches.map((b) => ({
          name: b,
          try: () => work(`${s.name}:${b}:try`),
          confirm: () => work(`${s.name}:${b}:confirm`),
          cancel: () => undo(`${s.name}:${b}:cancel`),
        }));
        transactions.set(s.name, await saga.tcc(s.name, branches, { tryTimeout: '1 minute' }));
      } else {
        await saga.confirm(s.name, transactions.get(s.tcc)!, { pivot: s.pivot === true });
      }
    }
    return { values };
  };
  return script.handleAbort ? saga.run(body, (aborted) => ({ values, aborted })) : saga.run(body);
}
