/**
 * Test card numbers of the payments simulator and what each does (documented in docs/services.md).
 * Any other Luhn-valid number behaves like `success`.
 */
export const testCards = {
  /** Settles as captured; one callback at once. */
  success: '4242424242424242',
  /** Settles as failed with `CardDeclined`; one callback. */
  declined: '4000000000000002',
  /** Settles as failed with `InsufficientFunds`; one callback. */
  insufficientFunds: '4000000000009995',
  /** The create call itself takes 3 s: long enough to kill a worker or cancel a saga mid-call. */
  slow: '4000000000000259',
  /** Captured, but the callback is sent only `callbackDelayMs` after settlement. */
  delayedCallback: '4000000000000077',
  /** Captured; the one callback is sent five times (same event id). */
  duplicateCallbacks: '4000000000000101',
  /** Captured; `charge.succeeded` is sent first and the older `charge.processing` after it. */
  outOfOrder: '4000000000000119',
  /** Captured, and no callback is ever sent: only a status query finds out. */
  noCallback: '4000000000000127',
  /** The first create call for an idempotency key hangs for `hangMs` and is dropped unprocessed. */
  createTimeout: '4000000000000135',
  /** The charge is made, but the response to the first create call is lost (connection reset). */
  responseLost: '4000000000000143',
  /** Captured only after `lateMs`, and cannot be voided while pending (an async payment method). */
  lateSuccess: '4000000000000150',
} as const;

export type CardBehaviour = keyof typeof testCards;

const byNumber = new Map<string, CardBehaviour>(
  Object.entries(testCards).map(([behaviour, number]) => [number, behaviour as CardBehaviour]),
);

/** What the simulated provider does with a card number. */
export function cardBehaviour(number: string): CardBehaviour {
  return byNumber.get(number) ?? 'success';
}

/** The failure code a card settles with, or undefined when it settles as captured. */
export function failureCode(behaviour: CardBehaviour): string | undefined {
  if (behaviour === 'declined') return 'CardDeclined';
  if (behaviour === 'insufficientFunds') return 'InsufficientFunds';
  return undefined;
}

/** The simulator's timing knobs; tests shorten them. */
export interface GatewayTimings {
  /** From create to settlement (default 100 ms). */
  settleMs: number;
  /** Extra wait before a `delayedCallback` card's callback (default 5 s). */
  callbackDelayMs: number;
  /** From create to the capture of a `lateSuccess` card (default 60 s). */
  lateMs: number;
  /** How long a `createTimeout` card's first call hangs (default 15 s, past the caller's timeout). */
  hangMs: number;
}

export const defaultTimings: GatewayTimings = { settleMs: 100, callbackDelayMs: 5000, lateMs: 60_000, hangMs: 15_000 };
