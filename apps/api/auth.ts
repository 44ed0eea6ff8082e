import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiClient, ApiScope } from '../../config/api-clients';

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
