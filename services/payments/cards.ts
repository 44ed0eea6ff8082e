import { BusinessError } from '../shared/errors';

/**
 * Test card numbers of the payments simulator and what each does (documented in the README).
 * Any other Luhn-valid number succeeds.
 */
export const testCards = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  /** Succeeds after a 3 s delay: long enough to kill a worker while the charge is in flight. */
  slow: '4000000000000259',
} as const;

/** What the simulated provider does with a card: refuse it, or approve it after `delayMs`. */
export function cardBehaviour(number: string): { delayMs: number } {
  if (number === testCards.declined) throw new BusinessError('CardDeclined', 'the card was declined');
  if (number === testCards.insufficientFunds) throw new BusinessError('InsufficientFunds', 'insufficient funds');
  return { delayMs: number === testCards.slow ? 3000 : 0 };
}
