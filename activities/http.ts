import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { outcomeUnknownMarker } from '../contracts/saga';
import type { z } from 'zod';
import { retryableHttpStatus } from '../contracts/retryable';
import { describeFields, fieldErrors } from '../contracts/validation';

export interface ServiceCall {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  /** Sent as the Idempotency-Key header; the workflow derives it from its id and the step. */
  idempotencyKey?: string;
}

/** How an activity reaches one participant service. `fetch` is injectable for tests. */
export interface ServiceClientDeps {
  baseUrl: string;
  /** This process's bearer token for the services (SERVICE_TOKENS_FILE); a call without it is a 401. */
  token: string;
  fetch?: typeof fetch;
  /** Per-request timeout; the activity's own start-to-close timeout bounds the whole attempt. */
  requestTimeoutMs?: number;
}

/** The refusal a service answers: `{ error: { type, message, fields? } }`. */
interface ErrorBody {
  type?: string;
  message?: string;
}

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

/** A short, printable piece of a body that is not what it should be (an HTML error page, say). */
const excerpt = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/**
 * Calls a participant service over HTTP and returns its JSON body, parsed with `schema`.
 * The status decides before the body is read as JSON:
 * - network errors, timeouts, 5xx, 408 and 429 fail retryably (a plain Error, which Temporal
 *   retries per the activity's preset), whatever the body;
 * - any other 4xx fails non-retryably with an ApplicationFailure whose type is the service's error
 *   type (`OutOfStock`, `CardDeclined`, ...), or `Http<status>` when the body is not the service's
 *   JSON refusal (a proxy's page, say);
 * - a 2xx whose body is not JSON or does not match `schema` fails non-retryably as
 *   `InvalidResponse`, naming each failing field: the service speaks another contract, and
 *   retrying will not change that.
 */
export async function callService<S extends z.ZodType>(
  deps: ServiceClientDeps,
  call: ServiceCall,
  schema: S,
): Promise<z.infer<S>> {
  const doFetch = deps.fetch ?? fetch;
  const signals = [AbortSignal.timeout(deps.requestTimeoutMs ?? 10_000)];
  try {
    signals.push(Context.current().cancellationSignal);
  } catch {
    // not inside an activity (scripts, tests): only the timeout applies
  }
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${deps.token}` };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
  const url = new URL(call.path, deps.baseUrl);
  const where = `${call.method} ${url.pathname}`;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.any(signals),
    });
    text = await response.text();
  } catch (err) {
    throw new Error(`${where} failed: ${(err as Error).message}`, { cause: err });
  }
  const json = parseJson(text);
  if (!response.ok) {
    const error = json.ok ? (json.value as { error?: ErrorBody } | null)?.error : undefined;
    const message = `${where} answered ${response.status}: ${error?.message ?? excerpt(text)}`;
    if (retryableHttpStatus(response.status)) throw new Error(message);
    if (error === undefined || typeof error.type !== 'string') {
      throw ApplicationFailure.nonRetryable(
        `${where} answered ${response.status} without a service refusal: ${excerpt(text)}`,
        `Http${response.status}`,
      );
    }
    throw ApplicationFailure.nonRetryable(message, error.type, error);
  }
  if (!json.ok) {
    throw ApplicationFailure.create({
      message: `${where} answered ${response.status} with a body that is not JSON: ${excerpt(text)}`,
      type: 'InvalidResponse',
      nonRetryable: true,
      // A 2xx means the service acted: the saga must still undo this step.
      details: [outcomeUnknownMarker],
    });
  }
  const parsed = schema.safeParse(json.value);
  if (parsed.success) return parsed.data;
  const fields = fieldErrors(parsed.error, '(body)');
  throw ApplicationFailure.create({
    message: `${where} answered ${response.status} with an unexpected body: ${describeFields(fields)}`,
    type: 'InvalidResponse',
    nonRetryable: true,
    details: [outcomeUnknownMarker, { fields }],
  });
}

/** Which branch of which TCC transaction a call is for, and its idempotency key. */
export interface TccCall {
  gid: string;
  branchId: string;
  idempotencyKey: string;
}

/** Calls a participant's `POST /tcc/:gid/branches/:branch/<op>` (see services' `tccRoutes`). */
export function tccCalls(deps: ServiceClientDeps) {
  return <S extends z.ZodType>(call: TccCall, op: 'try' | 'confirm' | 'cancel', schema: S, body: unknown = {}) =>
    callService(
      deps,
      {
        method: 'POST',
        path: `/tcc/${encodeURIComponent(call.gid)}/branches/${encodeURIComponent(call.branchId)}/${op}`,
        body,
        idempotencyKey: call.idempotencyKey,
      },
      schema,
    );
}
