import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a calling service may do; `*` is everything. */
export const apiScopes = [
  'refunds:start',
  'refunds:read',
  'approvals:start',
  'approvals:read',
  'approvals:act',
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

const digest = (s: string) => createHash('sha256').update(s).digest();

export type AuthOutcome = { ok: true; client: string } | { ok: false; status: 401 | 403; message: string };

/**
 * Checks `Authorization: Bearer <token>` against the configured clients (compared in constant
 * time): no or an unknown token is a 401, a token without the route's scope a 403.
 */
export function authorize(clients: ApiClient[], header: string | undefined, scope: ApiScope): AuthOutcome {
  const token = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  if (token === undefined) return { ok: false, status: 401, message: 'missing bearer token' };
  const given = digest(token);
  const client = clients.find((c) => timingSafeEqual(digest(c.token), given));
  if (client === undefined) return { ok: false, status: 401, message: 'unknown bearer token' };
  if (!client.scopes.includes('*') && !client.scopes.includes(scope)) {
    return { ok: false, status: 403, message: `${client.name} may not ${scope}` };
  }
  return { ok: true, client: client.name };
}
