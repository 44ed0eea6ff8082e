import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../config/logger';
import { allowCardNumbers, parseOrThrow, ValidationError } from '../../contracts/validation';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The bearer token a caller must send; without it the answer is 401 and the UI shows ciphertext. */
  token: string;
  /** Browser origins allowed to call (the Temporal Web UI's). */
  origins: readonly string[];
  logger: Logger;
}

/**
 * Temporal's codec-server body: payloads in protobuf JSON (metadata values and data in base64).
 * Their content is opaque here, so the card-number scan of the edges does not apply.
 */
const body = allowCardNumbers(
  z.object({
    payloads: z.array(
      z.object({
        metadata: z.record(z.string(), z.base64()).optional(),
        data: z.base64().optional(),
      }),
    ),
  }),
);
type JsonPayload = z.infer<typeof body>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The codec server: `POST /codec/encode` and `POST /codec/decode` in Temporal's codec-server format
 * (`{ payloads: [...] }` in, the same shape out), for the Web UI and `temporal --codec-endpoint`.
 * Every call needs `Authorization: Bearer <token>` (401 otherwise); browsers from `origins` get
 * CORS answers, preflights included. A payload under a key it does not hold is a 422 naming the key
 * id. It logs only the outcome of a call, never a payload.
 */
export function buildCodecServer(opts: CodecServerOptions): FastifyInstance {
  // Typed as Fastify's logger so the app keeps Fastify's default generics.
  const loggerInstance: FastifyBaseLogger = opts.logger.child({ part: 'codec-server' });
  const app = Fastify({ loggerInstance, disableRequestLogging: true });
  const expected = digest(opts.token);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && opts.origins.includes(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'origin');
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
    }
    if (request.method === 'OPTIONS') return reply.status(204).send();
    if (request.url === '/health') return undefined;
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      return reply.status(401).send({ error: { type: 'Unauthorized', message: 'a valid bearer token is required' } });
    }
    return undefined;
  });
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ValidationError) {
      return reply.status(400).send({ error: { type: 'InvalidRequest', message: err.message, fields: err.fields } });
    }
    if ((err as Error).name === 'PayloadDecodeError') {
      request.log.warn({ error: (err as Error).message }, 'payload not decoded');
      return reply.status(422).send({ error: { type: 'PayloadDecodeError', message: (err as Error).message } });
    }
    request.log.error({ err }, 'codec call failed');
    return reply.status(500).send({ error: { type: 'InternalError', message: 'internal error' } });
  });
  app.get('/health', () => ({ status: 'ok', part: 'codec-server' }));
  for (const op of ['encode', 'decode'] as const) {
    app.post(`/codec/${op}`, async (request) => {
      const { payloads } = parseOrThrow(body, request.body ?? {}, 'codec request', '(body)');
      const out = await opts.codec[op](payloads.map(fromJson));
      return { payloads: out.map(toJson) };
    });
  }
  return app;
}
