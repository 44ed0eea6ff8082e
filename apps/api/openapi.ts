import { z } from 'zod';
import {
  approvalInput,
  approveAction,
  commentAction,
  delegateAction,
  rejectAction,
  withdrawAction,
} from '../../contracts/approval';
import { refundInput } from '../../contracts/refund';
import { flashSaleInput } from '../../contracts/flash-sale';
import type { ApiScope } from '../../config/api-clients';

/** What callers send to start an approval: the routing and timers come from the configuration. */
export const approvalRequest = approvalInput.omit({ routing: true, slaPerLevelMs: true, deadlineMs: true });
export const actionBodies = {
  approve: approveAction,
  reject: rejectAction,
  delegate: delegateAction,
  comment: commentAction,
  withdraw: withdrawAction,
} as const;

const schema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  return rest;
};
const error = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        message: { type: 'string' },
        fields: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      required: ['type', 'message'],
    },
  },
};
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: {
          400: 'bad input, each field named',
          401: 'no or unknown bearer token',
          403: 'token lacks the scope',
          404: 'unknown id',
          409:
            'the workflow refused the action (nothing recorded), the id was already started with another ' +
            'input (AlreadyStarted), or the Idempotency-Key was used for another request',
          422: 'refused at the flash-sale gate (OutOfStock, BuyerLimitReached): no workflow started',
          503: 'GateUnavailable: the flash-sale gate cannot decide now; send the same order again (Retry-After)',
        }[c],
        content: { 'application/json': { schema: error } },
      },
    ]),
  );
const started = {
  description: 'started, or the run that already exists for this id',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { workflowId: { type: 'string' }, runId: { type: 'string' } } },
    },
  },
};
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const keyParam = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'at most once per calling service and key: the same request again answers the stored response ' +
    '(header Idempotent-Replayed: true); 400 and 5xx answers are not stored',
  schema: { type: 'string', minLength: 1, maxLength: 300 },
};
const scoped = (scope: ApiScope) => ({ security: [{ bearer: [] }], 'x-scope': scope });

/** The OpenAPI 3.1 document of the HTTP API, its bodies generated from the zod schemas it validates with. */
export function openApiDocument(): Record<string, unknown> {
  const actionPaths = Object.fromEntries(
    Object.entries(actionBodies).map(([action, body]) => [
      `/approvals/{id}/${action}`,
      {
        post: {
          summary: `${action} an approval request`,
          ...scoped('approvals:act'),
          parameters: [idParam, keyParam],
          requestBody: { required: true, content: { 'application/json': { schema: schema(body) } } },
          responses: { 200: ok('the new state'), ...errors(400, 401, 403, 404, 409) },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'saga-orchestra HTTP API', version: '0.1.0' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/refunds': {
        post: {
          summary: 'start a refund (refund:<refundId>)',
          ...scoped('refunds:start'),
          parameters: [keyParam],
          requestBody: { required: true, content: { 'application/json': { schema: schema(refundInput) } } },
          responses: { 202: started, ...errors(400, 401, 403, 409) },
        },
      },
      '/refunds/{id}': {
        get: {
          summary: 'where a refund stands',
          ...scoped('refunds:read'),
          parameters: [idParam],
          responses: { 200: ok('status, step timeline, result'), ...errors(401, 403, 404) },
        },
      },
      '/approvals': {
        post: {
          summary: 'start an approval (approval:<requestId>)',
          ...scoped('approvals:start'),
          parameters: [keyParam],
          requestBody: { required: true, content: { 'application/json': { schema: schema(approvalRequest) } } },
          responses: { 202: started, ...errors(400, 401, 403, 409) },
        },
      },
      '/approvals/{id}': {
        get: {
          summary: 'levels, current approver, audit trail',
          ...scoped('approvals:read'),
          parameters: [idParam],
          responses: { 200: ok('the state'), ...errors(401, 403, 404) },
        },
      },
      ...actionPaths,
      '/flash-sales/purchases': {
        post: {
          summary: 'one buyer at the flash-sale gate; admitted, starts flash:<orderId>',
          ...scoped('flash-sales:buy'),
          parameters: [keyParam],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schema(flashSaleInput.omit({ gated: true })) } },
          },
          responses: { 202: started, ...errors(400, 401, 403, 409, 422, 503) },
        },
      },
    },
  };
}
