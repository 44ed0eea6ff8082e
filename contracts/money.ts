/**
 * The currencies we accept and their ISO 4217 minor-unit exponents: an amount is an integer count of
 * the currency's minor unit (cents for EUR, yen for JPY, fils for BHD), never a fraction. Adding a
 * currency here is what makes every edge accept it.
 */
export const minorUnitExponents = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  JPY: 0,
  SEK: 2,
  PLN: 2,
  BHD: 3,
} as const satisfies Record<string, 0 | 2 | 3>;

export type Currency = keyof typeof minorUnitExponents;

export const currencies = Object.keys(minorUnitExponents) as [Currency, ...Currency[]];

/** Whether `code` is one of the currencies we accept. */
export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(minorUnitExponents, code);
}

/**
 * An amount for people: the major units with the currency's own number of decimals and its code,
 * `12.34 EUR`, `1234 JPY`, `1.234 BHD`, `-0.05 EUR`. Plain digits, no locale, so it is the same in
 * a workflow, on a worker and in a test. Throws a RangeError for a value that is not a safe integer
 * (a fraction of a minor unit has no meaning) or an unknown currency.
 */
export function formatMoney(minorUnits: number, currency: string): string {
  if (!Number.isSafeInteger(minorUnits)) throw new RangeError(`${minorUnits} is not a whole number of minor units`);
  if (!isCurrency(currency)) throw new RangeError(`unknown currency ${currency}`);
  const exponent = minorUnitExponents[currency];
  const digits = Math.abs(minorUnits)
    .toString()
    .padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent);
  const minor = digits.slice(digits.length - exponent);
  return `${minorUnits < 0 ? '-' : ''}${major}${exponent > 0 ? `.${minor}` : ''} ${currency}`;
}
