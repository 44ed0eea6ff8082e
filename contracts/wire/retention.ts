import { z } from 'zod';
import {
  retentionBatchSize,
  retentionTables,
  retentionTargets,
  retentionWindows,
  type RetentionReport,
} from '../retention';

/** `POST /retention` on a service: remove at most `batchSize` rows of each of its tables past its window. */
export const retentionRequest = z.object({ windows: retentionWindows, batchSize: retentionBatchSize }).strict();
export type RetentionRequest = z.infer<typeof retentionRequest>;

/** What one call removed, per table it has, and whether some table filled its batch (call again). */

const removed = z.partialRecord(z.enum(retentionTables), z.number().int().min(0));

/** What one call removed, per table it has, and whether some table filled its batch (call again). */
export const retentionAnswer = z.object({ removed, more: z.boolean() });
export type RetentionAnswer = z.infer<typeof retentionAnswer>;

/** A retention run's report, as billing stores it (`POST /retention/reports`) and answers it. */
export const retentionReport: z.ZodType<RetentionReport> = z.object({
  reportId: z.string().min(1).max(300),
  windows: retentionWindows,
  batchSize: retentionBatchSize,
  removed: z.partialRecord(z.enum(retentionTargets), removed),
  total: z.number().int().min(0),
  batches: z.partialRecord(z.enum(retentionTargets), z.number().int().min(0)),
  failed: z.partialRecord(z.enum(retentionTargets), z.string().max(1000)),
  complete: z.boolean(),
});
