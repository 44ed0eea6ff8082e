import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { retryableHttpStatus } from '../contracts/retryable';

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
  fetch?: typeof fetch;
  /** Per-request timeout; the activity's own start-to-close timeout bounds the whole attempt. */
  requestTimeoutMs?: number;
}

/**
 * Calls a participant service over HTTP and returns its JSON body.
 * Fails retryably (a plain Error, which Temporal retries per the activity's preset) on network
 * errors, timeouts, 5xx, 408 and 429; fails non-retryably with an ApplicationFailure whose type is
 * the service's error type (`OutOfStock`, `CardDeclined`, ...) on any other 4xx.
 */
export async function callService<T>(deps: ServiceClientDeps, call: ServiceCall): Promise<T> {
  const doFetch = deps.fetch ?? fetch;
  const signals = [AbortSignal.timeout(deps.requestTimeoutMs ?? 10_000)];
  try {
    signals.push(Context.current().cancellationSignal);
  } catch {
    // not inside an activity (scripts, tests): only the timeout applies
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
  const url = new URL(call.path, deps.baseUrl);
  let response: Response;
  try {
    response = await doFetch(url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    throw new Error(`${call.method} ${url.pathname} failed: ${(err as Error).message}`, { cause: err });
  }
  const text = await response.text();
  const json = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (response.ok) return json as T;
  const error = (json as { error?: { type?: string; message?: string } } | undefined)?.error;
  const message = `${call.method} ${url.pathname} answered ${response.status}: ${error?.message ?? text}`;
  if (retryableHttpStatus(response.status)) throw new Error(message);
  throw ApplicationFailure.nonRetryable(message, error?.type ?? `Http${response.status}`, error);
}

/** Which branch of which TCC transaction a call is for, and its idempotency key. */
export interface TccCall {
  gid: string;
  branchId: string;
  idempotencyKey: string;
}

/** Calls a participant's `POST /tcc/:gid/branches/:branch/<op>` (see services' `tccRoutes`). */
export function tccCalls(deps: ServiceClientDeps) {
  return (call: TccCall, op: 'try' | 'confirm' | 'cancel', body: unknown = {}): Promise<unknown> =>
    callService(deps, {
      method: 'POST',
      path: `/tcc/${encodeURIComponent(call.gid)}/branches/${encodeURIComponent(call.branchId)}/${op}`,
      body,
      idempotencyKey: call.idempotencyKey,
    });
}
