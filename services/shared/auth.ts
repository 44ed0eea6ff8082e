import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** A calling identity (`worker`, `operator`, ...) and the bearer token it sends. */
export interface Caller {
  name: string;
  token: string;
}

/** The routes every service answers without a token: the supervisor's health check. */
export const openRoutes = ['/health'] as const;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The caller whose token `header` (`Bearer <token>`) carries, compared in constant time; undefined for none. */
export function callerOf(callers: readonly Caller[], header: string | undefined): Caller | undefined {
  const token = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  if (token === undefined) return undefined;
  const given = digest(token);
  // Every token is compared, so the time taken does not say which one came close.
  let found: Caller | undefined;
  for (const c of callers) if (timingSafeEqual(digest(c.token), given)) found ??= c;
  return found;
}

/**
 * Makes every route of `app` but `openRoutes` and `alsoOpen` (routes that check a credential of
 * their own, like billing's HMAC-signed gateway callbacks) require `Authorization: Bearer <token>`
 * of one of `callers`. A request without one, or with a token no caller has, is answered 401
 * `{ error: { type: 'Unauthorized', message } }` before its body is read or any handler runs, so it
 * changes nothing. The request's log lines carry the caller's name (a `call` line at debug level
 * names each one), never its token.
 */
export function requireCallers(
  app: FastifyInstance,
  callers: readonly Caller[],
  alsoOpen: readonly string[] = [],
): void {
  const open = new Set<string>([...openRoutes, ...alsoOpen]);
  app.addHook('onRequest', async (request, reply) => {
    if (open.has(request.routeOptions.url ?? '')) return;
    const header = request.headers.authorization;
    const caller = callerOf(callers, header);
    if (caller === undefined) {
      const message = header === undefined ? 'missing bearer token' : 'unknown bearer token';
      request.log.warn({ method: request.method, url: request.url, reason: message }, 'call refused');
      return reply.status(401).send({ error: { type: 'Unauthorized', message } });
    }
    request.log = request.log.child({ caller: caller.name });
    request.log.debug({ method: request.method, url: request.url }, 'call');
  });
}
