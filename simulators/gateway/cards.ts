/**
 * Test card numbers of the payments simulator and what each does (documented in docs/services.md).
 * Any other Luhn-valid number behaves like `success`. Flows never see these: they charge a card's
 * token, and each test card has a fixed one (`testPaymentMethods`).
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

/**
 * The fixed token of each test card, `pm_card_<behaviour>` (like a real provider's test tokens):
 * `POST /payment-methods` with a test card answers it, and a charge may name it without that call.
 * Every other card gets a random `pm_<24 hex>` token and behaves like `success`.
 */
export const testPaymentMethods = Object.fromEntries(
  Object.keys(testCards).map((behaviour) => [behaviour, `pm_card_${behaviour}`]),
) as { readonly [B in CardBehaviour]: `pm_card_${B}` };

const byToken = new Map<string, CardBehaviour>(
  Object.entries(testPaymentMethods).map(([behaviour, token]) => [token, behaviour as CardBehaviour]),
);

/** The test card behind a fixed test token, or undefined for any other token. */
export function testTokenBehaviour(token: string): CardBehaviour | undefined {
  return byToken.get(token);
}

/** The card's brand by its leading digits (what a provider shows beside the last four). */
export function cardBrand(number: string): string {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65)/.test(number)) return 'discover';
  return 'unknown';
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
