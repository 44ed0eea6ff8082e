import { z } from 'zod';
import type { PaymentWaitOptions } from '../workflows/payment-channel';

/**
 * What the process holding the configuration hands every start call (built once by
 * `apps/start-options.ts`): where runs go and how they wait for the gateway. Policy the server
 * owns (the refund approval threshold) is no start option: the worker decides it.
 */
export interface StartOptions {
  taskQueue: string;
  /** The configured payment waits; without them the workflow's own defaults apply. */
  payment?: PaymentWaitOptions;
}

/** A duration as Temporal takes it: milliseconds or an `ms`-style string ('30 seconds'). */
const duration = z.union([z.number().int().min(0), z.string().min(1)]);
const payment = z
  .object({
    unpaidDeadline: duration.optional(),
    callbackTimeout: duration.optional(),
    poll: z.object({ initial: duration, max: duration }).strict().optional(),
  })
  .strict();

/**
 * The per-run knobs a caller may set, strict so an unknown key (a threshold, a routing) is refused
 * by name rather than passed to the workflow.
 */
export const runOptions = z
  .object({
    attemptsBeforeAttention: z.number().int().min(1).optional(),
    backoff: z.object({ initial: duration, max: duration }).strict().optional(),
    parallelUnwind: z.boolean().optional(),
    payment: payment.optional(),
  })
  .strict();
