import { z } from 'zod';

/** What a calling service may do; `*` is everything. */
export const apiScopes = [
  'refunds:start',
  'refunds:read',
  'approvals:start',
  'approvals:read',
  'approvals:act',
  'flash-sales:buy',
  /** Read payment, checkout and flash-sale sagas, and list sagas. */
  'sagas:read',
  /** Retry, skip or cancel a saga: recorded with the calling service as who acted. */
  'sagas:operate',
] as const;
export type ApiScope = (typeof apiScopes)[number];

export const apiClients = z
  .array(
    z
      .object({
        name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"'),
        token: z.string().min(16, 'must be at least 16 characters'),
        scopes: z.array(z.enum([...apiScopes, '*'])).min(1, 'must grant at least one scope'),
      })
      .strict(),
  )
  .min(1, 'must list at least one client')
  .refine((c) => new Set(c.map((x) => x.token)).size === c.length, 'tokens must differ');
export type ApiClient = z.infer<typeof apiClients>[number];

/** The calling service of the dev stack; configure API_TOKENS_FILE anywhere else. */
export const devApiClient: ApiClient = { name: 'dev', token: 'dev-only-api-token', scopes: ['*'] };
