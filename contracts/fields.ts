import { z } from 'zod';
import { currencies } from './money';

/** Field rules shared by every service and the client, so one value means the same everywhere. */

/** The longest id a caller may give (order, refund, request, customer, charge ids...). */
export const maxIdLength = 200;
/**
 * The longest id the system derives from one: a flow prefix and a caller's id (the approval of a
 * refund is request `refund:<refundId>`, workflow `approval:refund:<refundId>`). Every HTTP route
 * takes path parameters up to this length, so whatever a POST accepted can be read and acted on.
 */
export const maxKeyLength = maxIdLength + 56;
const idChars = (max: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9:._-]{1,${max}}$`), `must be 1-${max} letters, digits, ":", ".", "_" or "-"`);
export const businessId = idChars(maxIdLength);
/** An id the system may have derived from a caller's (see maxKeyLength): an approval's request id. */
export const derivedId = idChars(maxKeyLength);
/** An id a flow composes from several (a budget hold, a notification); never typed by a caller. */
export const composedId = idChars(1024);
export const sku = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
/** An ISO 4217 code from `minorUnitExponents`; any other is refused. */
export const currency = z.enum(currencies, { error: `must be one of ${currencies.join(', ')}` });

/**
 * The largest amount of money (in the currency's minor unit) or of reward points that any one value
 * may hold, stored or sent: 10^15, ten trillion euros. Every money and points column has a CHECK of
 * this bound (migrations `*_money_bound.sql`), so every stored value is one the wire accepts. It stays
 * below Number.MAX_SAFE_INTEGER (about 9 * 10^15), so a JS number holds it exactly and the sum of a
 * few bounded values is still exact before it is checked again.
 */
export const maxMinorUnits = 1_000_000_000_000_000;

const boundMessage = `must be at most ${maxMinorUnits} (the 64-bit money bound)`;
export const cents = z
  .number()
  .int('must be whole cents')
  .min(0, 'must not be negative')
  .max(maxMinorUnits, boundMessage);
export const positiveCents = cents.min(1, 'must be at least 1 cent');
/** Reward points: whole, not negative, within the same bound as money. */
export const points = z
  .number()
  .int('must be whole points')
  .min(0, 'must not be negative')
  .max(maxMinorUnits, boundMessage);

export const quantity = z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000);
export const empty = z.object({});

/** The Luhn checksum every real card number passes. */
export function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card number: 12-19 digits passing the Luhn check. Only the gateway's vault accepts one. */
export const cardNumber = z
  .string()
  .regex(/^\d{12,19}$/, 'must be 12-19 digits')
  .refine(luhnValid, 'must be a valid card number (Luhn check)');

/**
 * Whether a string reads as a card number: 12-19 digits (single spaces or dashes between groups
 * allowed) that pass the Luhn check. Every edge but the vault refuses such a value in any field.
 */
export function looksLikeCardNumber(value: string): boolean {
  if (!/^\d[\d -]{10,36}\d$/.test(value) || /[ -]{2}/.test(value)) return false;
  const digits = value.replace(/[ -]/g, '');
  return digits.length >= 12 && digits.length <= 19 && luhnValid(digits);
}

/** What an edge says of a card number where it takes none. */
export const cardNumberRefusal =
  'must not be a card number: create a payment method at the gateway (POST /payment-methods) and send its pm_ token';

/**
 * A payment-method token from the gateway's vault (`pm_…`): what every flow charges instead of a
 * card number, which it refuses with its own message.
 */
export const paymentMethodToken = z
  .string()
  .refine((v) => !looksLikeCardNumber(v), { message: cardNumberRefusal, abort: true })
  .regex(/^pm_[A-Za-z0-9_]{1,100}$/, 'must be a payment-method token: pm_ followed by 1-100 letters, digits or "_"');

/** Whether every line names another SKU: item lists refuse a SKU listed twice with this rule. */
export const eachSkuOnce = (items: { sku: string }[]): boolean =>
  new Set(items.map((i) => i.sku)).size === items.length;
export const eachSkuOnceMessage = 'must not list a SKU twice';
