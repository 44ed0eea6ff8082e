import { z } from 'zod';
import { serviceNames, type ServiceName } from './services';

/**
 * The tables retention trims, in every participant schema (the callbacks in billing's only):
 * - `idempotencyKeys`: stored answers, by `created_at`;
 * - `tccBarrier`: barrier rows, by branch, only once every branch of the transaction here has its
 *   confirm or cancel and the transaction's newest row is past the window (an open one is kept,
 *   however old);
 * - `callbacks`: gateway callbacks, by `received_at`, only once signalled to their workflow or
 *   handled by reconciliation (an unsettled orphan is kept).
 */
export const retentionTables = ['idempotencyKeys', 'tccBarrier', 'callbacks'] as const;
export type RetentionTable = (typeof retentionTables)[number];

const window = z.number().int('must be whole milliseconds').min(1, 'must be longer than zero');

/** Where retention runs: every participant service, and the HTTP API (`api`) for its stored answers. */
export const retentionTargets = [...serviceNames, 'api'] as const;
export type RetentionTarget = ServiceName | 'api';

/** How long each table keeps its rows, in milliseconds. */
export const retentionWindows = z.object({ idempotencyKeys: window, tccBarrier: window, callbacks: window });
export type RetentionWindows = z.infer<typeof retentionWindows>;

/** The most rows of one table one call removes (at least 10: barrier rows go a whole branch at a time). */
export const maxRetentionBatch = 10_000;
export const retentionBatchSize = z.number().int().min(10).max(maxRetentionBatch);

/** The retention workflow's input: the windows, the batch size, and how many batches per service at most. */
export const retentionInput = z.object({
  windows: retentionWindows,
  batchSize: retentionBatchSize.default(1000),
  maxBatches: z.number().int().min(1).max(10_000).default(100),
  /** Where to run, one after the other (default: every target). */
  services: z.array(z.enum(retentionTargets)).min(1).optional(),
});
export type RetentionInput = z.input<typeof retentionInput>;

/** Rows removed, per table. */
export type Removed = Partial<Record<RetentionTable, number>>;

/** What a retention run removed, per service and table, and whether it got through everything. */
export interface RetentionReport {
  /** `<workflowId>/<runId>` of the run. */
  reportId: string;
  windows: RetentionWindows;
  batchSize: number;
  removed: Partial<Record<RetentionTarget, Removed>>;
  total: number;
  /** Batches called per target. */
  batches: Partial<Record<RetentionTarget, number>>;
  /** Targets that kept failing, and why; the others were trimmed all the same. */
  failed: Partial<Record<RetentionTarget, string>>;
  /** False when a target failed or still had rows past its window after `maxBatches` (the next run goes on). */
  complete: boolean;
}
