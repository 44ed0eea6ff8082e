import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { PayloadKey } from '../config';
import type { PaymentSagaInput } from '../contracts/payment';
import { plainOutbox, type OutboxSealer } from '../services/order/outbox';
import { AesGcmPayloadCodec } from '../temporal-config/payload-codec';

/**
 * The order outbox sealed by the codec: a row's payload is `{ "sealed": <payload> }`, the payload
 * as Temporal would store it (key id in its metadata), so the table holds no customer id in the
 * clear. Rows written before sealing (a plain payload) open as they are. Plain without keys.
 */
export function codecOutboxSealer(keys: readonly PayloadKey[]): OutboxSealer {
  if (keys.length === 0) return plainOutbox;
  const codec = new AesGcmPayloadCodec(keys);
  const b64 = (m: Payload['metadata']) =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]));
  return {
    async seal(payload) {
      const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(payload)]);
      return { sealed: { metadata: b64(sealed!.metadata), data: Buffer.from(sealed!.data ?? []).toString('base64') } };
    },
    async open(stored) {
      const sealed = (stored as { sealed?: { metadata: Record<string, string>; data: string } }).sealed;
      if (sealed === undefined) return stored as PaymentSagaInput;
      const metadata = Object.fromEntries(
        Object.entries(sealed.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
      );
      const [opened] = await codec.decode([{ metadata, data: Buffer.from(sealed.data, 'base64') }]);
      return defaultPayloadConverter.fromPayload<PaymentSagaInput>(opened!);
    },
  };
}
