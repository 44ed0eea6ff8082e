import { z } from 'zod';

/**
 * What a participant's TCC endpoint answers (see services/shared/barrier.ts): the result of the
 * business change, absent when it did not run (`empty`, a cancel with no try), and how it went.
 */
export const tccOutcome = <T extends z.ZodType>(result: T) =>
  z.object({ result: result.optional(), outcome: z.enum(['applied', 'duplicate', 'empty']) });
