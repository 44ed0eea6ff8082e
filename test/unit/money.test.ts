import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currency, maxMinorUnits } from '../../contracts/fields';
import { formatMoney } from '../../contracts/money';
import { parseBigint } from '../../services/shared/db';
import { narrate } from '../../workflows/narration';

describe('amounts carry their currency exponent', () => {
  it.each([
    [4505, 'EUR', '45.05 EUR'],
    [5, 'USD', '0.05 USD'],
    [0, 'GBP', '0.00 GBP'],
    [-120, 'CHF', '-1.20 CHF'],
    [4505, 'JPY', '4505 JPY'],
    [1234, 'BHD', '1.234 BHD'],
    [maxMinorUnits, 'EUR', '10000000000000.00 EUR'],
  ])('%d %s is %s', (minorUnits, code, text) => {
    expect(formatMoney(minorUnits, code)).toBe(text);
  });

  it('refuses an unknown currency and a fraction of a minor unit', () => {
    expect(() => formatMoney(100, 'XYZ')).toThrow('unknown currency XYZ');
    expect(() => formatMoney(1.5, 'EUR')).toThrow('not a whole number of minor units');
    const refused = currency.safeParse('XYZ');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/^must be one of EUR, .*JPY.*BHD/);
  });

  it('a card charge is narrated in its own currency', () => {
    const charge = { chargeId: 'c', orderId: 'o-1', paymentMethod: 'pm_card_success', idempotencyKey: 'k' };
    expect(narrate('chargeCard', { ...charge, amountCents: 4505, currency: 'JPY' })).toBe(
      'Charge 4505 JPY for order o-1 (c)',
    );
  });
});

describe('the money bound', () => {
  it('fits a JS number exactly, and a bigint past the safe range is refused instead of rounded', () => {
    expect(Number.isSafeInteger(maxMinorUnits * 9)).toBe(true);
    expect(parseBigint('3000000000')).toBe(3_000_000_000);
    expect(parseBigint(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseBigint('9007199254740993')).toThrow(RangeError);
  });

  it('is the one bound every *_money_bound.sql CHECK states', () => {
    const roots = ['services/approvals', 'services/coupon', 'services/order', 'services/wallet', 'simulators/gateway'];
    const literals = roots.flatMap((root) => {
      const dir = fileURLToPath(new URL(`../../${root}/migrations/`, import.meta.url));
      const files = readdirSync(dir).filter((f) => f.endsWith('_money_bound.sql'));
      expect(files, root).toHaveLength(1);
      return files.flatMap((f) => readFileSync(`${dir}${f}`, 'utf8').match(/\b\d{10,}\b/g) ?? []);
    });
    expect(literals.length).toBeGreaterThan(roots.length);
    expect(new Set(literals)).toEqual(new Set([String(maxMinorUnits)]));
  });
});
