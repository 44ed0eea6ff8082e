import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { mutationInput, runMutation, type MutationOptions, type MutationWork } from '../../services/shared/http';

/**
 * Transport faults the simulated provider injects around a mutation: `before` may take the reply
 * over before anything runs (answer true), `after` after the work committed (answer true).
 */
export interface MutationFaults<I> {
  before?: (input: I, key: string, reply: FastifyReply) => Promise<boolean>;
  after?: (input: I, key: string, replayed: boolean, reply: FastifyReply) => boolean;
}

/**
 * The participants' `mutation()` (Idempotency-Key, validated body, once per key) with the
 * simulator's fault hooks around it. Only the simulator breaks its own transport; our services
 * never do, so the hooks live here and not in the shared helper.
 */
export function faultyMutation<S extends z.ZodType>(
  app: FastifyInstance,
  opts: MutationOptions<S>,
  faults: MutationFaults<z.infer<S>>,
  work: MutationWork<S>,
): void {
  app.post<{ Params: Record<string, string> }>(opts.url, async (request, reply) => {
    const { key, input } = mutationInput(request, opts.body);
    if (await faults.before?.(input, key, reply)) return reply;
    const response = await runMutation(opts, request.params, key, input, work);
    if (faults.after?.(input, key, response.replayed, reply)) return reply;
    return reply.status(response.status).send(response.body);
  });
}
