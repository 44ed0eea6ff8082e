import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { serviceNames, type ServiceName } from '../contracts/services';

/** The least length of a service token: long enough that guessing one is hopeless. */
export const minServiceTokenLength = 32;

const callerName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be 1-32 lower-case letters, digits or "-"');

/**
 * `SERVICE_TOKENS_FILE`: the bearer token of each calling identity (`worker`, `operator`, ...) and,
 * optionally, per service, which callers it accepts (a service not listed accepts every caller).
 *
 * ```json
 * { "callers": { "worker": "<32+ characters>", "operator": "<32+ characters>" },
 *   "allow": { "payments": ["worker"] } }
 * ```
 */
export const serviceTokensFile = z
  .object({
    callers: z
      .record(callerName, z.string().min(minServiceTokenLength, `must be at least ${minServiceTokenLength} characters`))
      .refine((c) => Object.keys(c).length > 0, 'must name at least one caller')
      .refine((c) => new Set(Object.values(c)).size === Object.keys(c).length, 'tokens must differ'),
    allow: z
      .partialRecord(z.enum(serviceNames), z.array(callerName).min(1, 'must allow at least one caller'))
      .optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    for (const [service, callers] of Object.entries(file.allow ?? {})) {
      for (const [i, caller] of (callers ?? []).entries()) {
        if (!(caller in file.callers)) {
          ctx.addIssue({ code: 'custom', path: ['allow', service, i], message: `${caller} is not in callers` });
        }
      }
    }
  });
export type ServiceTokensFile = z.infer<typeof serviceTokensFile>;

/** The configured service tokens, and where they came from. */
export interface ServiceTokens extends ServiceTokensFile {
  file: string;
}

/** The callers `service` accepts, with their tokens: every caller unless `allow` lists some. */
export function callersOf(tokens: ServiceTokensFile, service: ServiceName): { name: string; token: string }[] {
  const allowed = tokens.allow?.[service];
  return Object.entries(tokens.callers)
    .filter(([name]) => allowed === undefined || allowed.includes(name))
    .map(([name, token]) => ({ name, token }));
}

/**
 * The callers of the dev stack: `worker` (the activities, reconciliation and retention among them)
 * , `operator` (a person or script: curl, the benchmark's loaders, tests seeding data) and `api`
 * (the HTTP API, which asks the inventory's flash-sale gate before it starts a purchase).
 */
export const devCallers = ['worker', 'operator', 'api'] as const;
export type DevCaller = (typeof devCallers)[number];

/** Fresh random tokens (256 bits each) for the dev callers, every caller allowed everywhere. */
export function generateServiceTokens(): ServiceTokensFile & { callers: Record<DevCaller, string> } {
  const callers = Object.fromEntries(devCallers.map((c) => [c, randomBytes(32).toString('base64url')]));
  return { callers: callers as Record<DevCaller, string> };
}
