import { z } from 'zod';
import {
  approvalInput,
  approveAction,
  commentAction,
  delegateAction,
  rejectAction,
  withdrawAction,
} from '../../contracts/approval';
import { maxKeyLength } from '../../contracts/fields';
import { refundInput } from '../../contracts/refund';
import { flashSaleInput } from '../../contracts/flash-sale';
import type { ApiScope } from '../../config/api-clients';
import { cancelBody, operableFlows, retryBody, sagaListQuery, sagaReads, skipBody } from './sagas';
import {
  approvalStateSchema,
  cancelRequestedSchema,
  healthSchema,
  refundViewSchema,
  sagaListSchema,
  sagaStateSchema,
  sagaViewSchema,
  startedSchema,
} from './schemas';

/** What callers send to start an approval: the routing and timers come from the configuration. */
export const approvalRequest = approvalInput.omit({ routing: true, slaPerLevelMs: true, deadlineMs: true });
export const actionBodies = {
  approve: approveAction,
  reject: rejectAction,
  delegate: delegateAction,
  comment: commentAction,
  withdraw: withdrawAction,
} as const;

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' });
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
  required: ['error'],
};
const errorDescriptions: Record<number, string> = {
  400: 'bad input, each field named',
  401: 'no or unknown bearer token',
  403: 'token lacks the scope',
  404: 'unknown id',
  409:
    'the workflow refused the action (nothing recorded), the id was already started with another ' +
    'input (AlreadyStarted), or the Idempotency-Key was used for another request',
  413: 'PayloadTooLarge: the body is over the 1 MiB limit',
  414: `UriTooLong: a path parameter is longer than ${maxKeyLength} characters`,
  415: 'UnsupportedMediaType: a body that is not application/json',
  422: 'refused at the flash-sale gate (OutOfStock, BuyerLimitReached): no workflow started',
  503: 'GateUnavailable: the flash-sale gate cannot decide now; send the same order again (Retry-After)',
};
const errors = (codes: number[], descriptions: Record<number, string> = {}) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: descriptions[c] ?? errorDescriptions[c],
        content: { 'application/json': { schema: error } },
      },
    ]),
  );
const replayed = {
  'Idempotent-Replayed': {
    description: 'with an Idempotency-Key: true when this is the stored answer of an earlier request',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
};
/** A success response whose body is `s`; `keyed` adds the replay header of a POST taking Idempotency-Key. */
const answer = (description: string, s: z.ZodType, keyed = false) => ({
  description,
  ...(keyed ? { headers: replayed } : {}),
  content: { 'application/json': { schema: schema(s, 'output') } },
});
const started = answer('started, or the run that already exists for this id', startedSchema, true);
const pathParam = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', maxLength: maxKeyLength },
});
const idParam = pathParam('id');
const keyParam = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'at most once per calling service and key: the same request again answers the stored response ' +
    '(header Idempotent-Replayed: true); 400 and 5xx answers are not stored',
  schema: { type: 'string', minLength: 1, maxLength: 300 },
};
const jsonBody = (s: z.ZodType, required = true) => ({
  required,
  content: { 'application/json': { schema: schema(s) } },
});
const scoped = (scope: ApiScope) => ({ security: [{ bearer: [] }], 'x-scope': scope });
/** What every POST may also answer: a body too large or not JSON. */
const postErrors = [413, 415];
/** The query parameters of a strict zod object, one per field. */
const queryParams = (s: z.ZodObject) =>
  Object.entries(s.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: schema(field as z.ZodType),
  }));
const unanswered = {
  503: 'Unanswered: no worker answered for the running saga within 10 s (Retry-After); try again',
};

function sagaPaths(): Record<string, unknown> {
  const reads = Object.fromEntries(
    Object.entries(sagaReads).map(([segment, { flow, param }]) => [
      `/${segment}/{${param}}`,
      {
        get: {
          summary: `where the ${flow.type} saga ${flow.prefix}:<${param}> stands: status and step timeline`,
          ...scoped('sagas:read'),
          parameters: [pathParam(param)],
          responses: {
            200: answer('the run and its timeline', sagaViewSchema),
            ...errors([400, 401, 403, 404, 414, 503], unanswered),
          },
        },
      },
    ]),
  );
  const prefixes = operableFlows.map((f) => `${f.prefix}:`).join(', ');
  const workflowId = { ...pathParam('workflowId'), description: `a saga's workflow id (${prefixes}…)` };
  const decision = (action: 'retry' | 'skip', body: z.ZodType, summary: string) => ({
    post: {
      summary,
      ...scoped('sagas:operate'),
      parameters: [workflowId, keyParam],
      requestBody: jsonBody(body, action === 'skip'),
      responses: {
        200: answer('the new timeline; operatorActions records the calling service as `by`', sagaStateSchema, true),
        ...errors([400, 401, 403, 404, 409, 414, ...postErrors], {
          409: 'refused: the saga does not wait on that step, or the run is closed (nothing recorded)',
        }),
      },
    },
  });
  return {
    ...reads,
    '/sagas': {
      get: {
        summary: 'sagas by status, flow and order, newest first; without a status, NEEDS_ATTENTION first',
        ...scoped('sagas:read'),
        parameters: queryParams(sagaListQuery),
        responses: { 200: answer('the sagas', sagaListSchema), ...errors([400, 401, 403]) },
      },
    },
    '/sagas/{workflowId}/retry': decision(
      'retry',
      retryBody,
      'run the step a saga waits on in NEEDS_ATTENTION again, with a fresh budget',
    ),
    '/sagas/{workflowId}/skip': decision('skip', skipBody, 'give up on the step a saga waits on, saying why'),
    '/sagas/{workflowId}/cancel': {
      post: {
        summary: 'cancel a saga: before its pivot it undoes what it did and ends CANCELLED; after it, it finishes',
        ...scoped('sagas:operate'),
        parameters: [workflowId, keyParam],
        requestBody: jsonBody(cancelBody, false),
        responses: {
          202: answer(
            'asked to cancel; the history records the calling service and the reason',
            cancelRequestedSchema,
            true,
          ),
          ...errors([400, 401, 403, 404, 409, 414, ...postErrors], { 409: 'the run is closed: how and when it ended' }),
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the HTTP API: request bodies and responses generated from the zod
 * schemas it validates and answers with.
 */
export function openApiDocument(): Record<string, unknown> {
  const actionPaths = Object.fromEntries(
    Object.entries(actionBodies).map(([action, body]) => [
      `/approvals/{id}/${action}`,
      {
        post: {
          summary: `${action} an approval request`,
          ...scoped('approvals:act'),
          parameters: [idParam, keyParam],
          requestBody: jsonBody(body),
          responses: {
            200: answer('the new state', approvalStateSchema, true),
            ...errors([400, 401, 403, 404, 409, 414, ...postErrors]),
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'saga-orchestra HTTP API', version: '0.2.0' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/health': {
        get: { summary: 'the API is up (no token)', responses: { 200: answer('up', healthSchema) } },
      },
      '/openapi.json': {
        get: {
          summary: 'this document (no token)',
          responses: {
            200: {
              description: 'the OpenAPI 3.1 document',
              content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'paths'] } } },
            },
          },
        },
      },
      '/refunds': {
        post: {
          summary: 'start a refund (refund:<refundId>)',
          ...scoped('refunds:start'),
          parameters: [keyParam],
          requestBody: jsonBody(refundInput),
          responses: { 202: started, ...errors([400, 401, 403, 409, ...postErrors]) },
        },
      },
      '/refunds/{id}': {
        get: {
          summary: 'where a refund stands',
          ...scoped('refunds:read'),
          parameters: [idParam],
          responses: {
            200: answer('status, step timeline, result', refundViewSchema),
            ...errors([400, 401, 403, 404, 414, 503], unanswered),
          },
        },
      },
      '/approvals': {
        post: {
          summary: 'start an approval (approval:<requestId>)',
          ...scoped('approvals:start'),
          parameters: [keyParam],
          requestBody: jsonBody(approvalRequest),
          responses: { 202: started, ...errors([400, 401, 403, 409, ...postErrors]) },
        },
      },
      '/approvals/{id}': {
        get: {
          summary: 'levels, current approver, audit trail',
          ...scoped('approvals:read'),
          parameters: [idParam],
          responses: { 200: answer('the state', approvalStateSchema), ...errors([400, 401, 403, 404, 414]) },
        },
      },
      ...actionPaths,
      '/flash-sales/purchases': {
        post: {
          summary: 'one buyer at the flash-sale gate; admitted, starts flash:<orderId>',
          ...scoped('flash-sales:buy'),
          parameters: [keyParam],
          requestBody: jsonBody(flashSaleInput.omit({ gated: true })),
          responses: { 202: started, ...errors([400, 401, 403, 409, 422, 503, ...postErrors]) },
        },
      },
      ...sagaPaths(),
    },
  };
}
