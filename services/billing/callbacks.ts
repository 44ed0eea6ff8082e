import type { FastifyInstance } from 'fastify';
import { gatewayEvent, type GatewayEvent } from '../../contracts/gateway';
import type { Pool } from '../shared/db';
import { BusinessError, TransientError } from '../shared/errors';
import { parseInput } from '../shared/http';
import { signatureHeader, verifyCallback } from '../shared/signature';

/** What became of a callback: its workflow got it, or it is kept for reconciliation. */
export type Delivery = 'signalled' | 'workflow-closed' | 'workflow-not-found';

/** Hands a gateway event to the workflow `reference`; throws when Temporal cannot be reached. */
export type DeliverEvent = (reference: string, event: GatewayEvent) => Promise<Delivery>;

/** The receiver's route; it checks the gateway's HMAC signature, not a service token. */
export const gatewayCallbackRoute = '/callbacks/gateway';

export interface ReceiverOptions {
  secret: string;
  /** How far a callback's signed timestamp may be from now (seconds, default 300). */
  toleranceSeconds?: number;
  deliver: DeliverEvent;
}

/**
 * `POST /callbacks/gateway`, the receiver of the gateway's callbacks:
 * - the signature (HMAC-SHA256 over "<timestamp>.<raw body>") and the timestamp window are checked
 *   first; a bad or stale one is a 401, logged, and nothing is stored or signalled;
 * - each event id is stored once (copies only count up) before it is handed to its workflow; a
 *   copy of an event already delivered answers 200 without a signal, one not yet delivered
 *   delivers again (at least once; the workflow drops an event id it has seen);
 * - an event whose workflow is closed or unknown is stored as orphaned for reconciliation, never
 *   dropped; if the workflow engine cannot be reached the event stays stored, undelivered, and the
 *   503 makes the gateway send it again.
 */
export function callbackRoutes(app: FastifyInstance, pool: Pool, options: ReceiverOptions): void {
  void app.register((scope, _opts, done) => {
    // The signature covers the exact bytes sent: keep the raw body next to the parsed one.
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, parsed) => {
      (request as { rawBody?: string }).rawBody = raw as string;
      try {
        parsed(null, JSON.parse(raw as string));
      } catch {
        parsed(new BusinessError('InvalidRequest', 'body is not JSON', 400), undefined);
      }
    });
    scope.post(gatewayCallbackRoute, async (request, reply) => {
      const raw = (request as { rawBody?: string }).rawBody ?? '';
      const header = request.headers[signatureHeader];
      const check = verifyCallback(
        options.secret,
        typeof header === 'string' ? header : undefined,
        raw,
        options.toleranceSeconds ?? 300,
      );
      if (!check.ok) {
        request.log.warn({ reason: check.reason, ip: request.ip }, 'gateway callback rejected');
        return reply.status(401).send({ error: { type: 'InvalidSignature', message: check.reason } });
      }
      const event = parseInput(gatewayEvent, request.body);
      return receive(pool, event, options.deliver);
    });
    done();
  });
}

/**
 * Stores the event once (a copy only counts up), then hands it to its workflow outside any
 * transaction, so no row lock waits on the workflow engine. Until a delivery is recorded, every
 * copy delivers again: at least once, and the workflow ignores an event id it has seen. A failed
 * delivery is a TransientError (503): the row stays undelivered and the gateway's resend retries.
 */
async function receive(pool: Pool, event: GatewayEvent, deliver: DeliverEvent) {
  const { rows } = await pool.query<{ delivery: Delivery | null; copies: number }>(
    `INSERT INTO billing.callbacks (event_id, type, charge_id, order_id, reference, sequence, body)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (event_id) DO UPDATE SET copies = callbacks.copies + 1
     RETURNING delivery, copies`,
    [event.eventId, event.type, event.chargeId, event.orderId, event.reference, event.sequence, JSON.stringify(event)],
  );
  const row = rows[0]!;
  if (row.delivery !== null) return { eventId: event.eventId, delivery: row.delivery, duplicate: true };
  let delivery: Delivery;
  try {
    delivery = await deliver(event.reference, event);
  } catch (err) {
    throw new TransientError('Unavailable', `cannot reach the workflow engine: ${(err as Error).message}`);
  }
  // The first delivery recorded wins; a concurrent copy that also delivered changes nothing.
  await pool.query(
    `UPDATE billing.callbacks SET delivery = $2, delivered_at = now() WHERE event_id = $1 AND delivery IS NULL`,
    [event.eventId, delivery],
  );
  return { eventId: event.eventId, delivery, duplicate: row.copies > 1 };
}
