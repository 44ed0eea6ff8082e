import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a gateway callback carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const signatureHeader = 'gateway-signature';

const mac = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** Signs a callback body at `timestamp` (unix seconds) with the shared secret. */
export function signCallback(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a callback's signature header against the raw body: well formed, signed with `secret`
 * (compared in constant time), and made within `toleranceSeconds` of `now` either way, so a
 * recorded callback cannot be replayed later.
 */
export function verifyCallback(
  secret: string,
  header: string | undefined,
  body: string,
  toleranceSeconds: number,
  now = Date.now(),
): SignatureCheck {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return { ok: false, reason: `missing or malformed ${signatureHeader} header` };
  const timestamp = Number(match[1]);
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) return { ok: false, reason: 'signature mismatch' };
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) {
    return { ok: false, reason: `timestamp ${timestamp} outside the ${toleranceSeconds} s window` };
  }
  return { ok: true };
}
