import type { FastifyInstance } from 'fastify';
import { gatewayEvent, type GatewayEvent } from '../../contracts/gateway';
import { inTransaction, type Pool } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { parseInput } from '../shared/http';
import { signatureHeader, verifyCallback } from '../shared/signature';

/** What became of a callback: its workflow got it, or it is kept for reconciliation. */
export type Delivery = 'signalled' | 'workflow-closed' | 'workflow-not-found';

/** Hands a gateway event to the workflow `reference`; throws when Temporal cannot be reached. */
export type DeliverEvent = (reference: string, event: GatewayEvent) => Promise<Delivery>;

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
 * - each event id is stored once (copies only count up), in the same transaction that hands it to
 *   its workflow, so concurrent copies wait for the first and then answer 200 without a signal;
 * - an event whose workflow is closed or unknown is stored as orphaned for reconciliation, never
 *   dropped; if Temporal cannot be reached the transaction rolls back and the 503 makes the
 *   gateway send it again.
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
    scope.post('/callbacks/gateway', async (request, reply) => {
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

async function receive(pool: Pool, event: GatewayEvent, deliver: DeliverEvent) {
  return inTransaction(pool, async (client) => {
    // Inserting (or counting a copy) takes the row lock: copies of one event queue up here.
    const { rows } = await client.query<{ delivery: Delivery | null; copies: number }>(
      `INSERT INTO billing.callbacks (event_id, type, charge_id, order_id, reference, sequence, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (event_id) DO UPDATE SET copies = callbacks.copies + 1
       RETURNING delivery, copies`,
      [
        event.eventId,
        event.type,
        event.chargeId,
        event.orderId,
        event.reference,
        event.sequence,
        JSON.stringify(event),
      ],
    );
    const row = rows[0]!;
    if (row.delivery !== null) return { eventId: event.eventId, delivery: row.delivery, duplicate: true };
    const delivery = await deliver(event.reference, event).catch((err: unknown) => {
      // Temporal unreachable: roll back and answer 503, so the gateway sends it again later.
      throw new BusinessError('Unavailable', `cannot reach the workflow engine: ${(err as Error).message}`, 503);
    });
    await client.query(`UPDATE billing.callbacks SET delivery = $2, delivered_at = now() WHERE event_id = $1`, [
      event.eventId,
      delivery,
    ]);
    return { eventId: event.eventId, delivery, duplicate: row.copies > 1 };
  });
}
