import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import type { PayloadKey } from '../config/index';

/** The encoding an encrypted payload carries, and the metadata key naming its key. */
export const encryptedEncoding = 'binary/encrypted';
export const keyIdMetadata = 'encryption-key-id';
const cipher = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;

/** A payload the codec cannot open: an unknown key id, or data that is not what its key sealed. */
export class PayloadDecodeError extends Error {
  override readonly name = 'PayloadDecodeError';
}

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString();

/** The whole payload (metadata and data) as bytes, so its encoding is sealed too. */
function serialize(payload: Payload): Buffer {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  );
  return Buffer.from(JSON.stringify({ metadata, data: Buffer.from(payload.data ?? []).toString('base64') }));
}

function deserialize(bytes: Buffer): Payload {
  const { metadata, data } = JSON.parse(bytes.toString()) as { metadata: Record<string, string>; data: string };
  return {
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(data, 'base64'),
  };
}

/**
 * AES-256-GCM over every payload: a fresh 12-byte IV per payload, the id of the key in the
 * metadata (`encryption-key-id`), data = IV, ciphertext, tag. Encodes with the first (newest)
 * key; decodes with whichever key the payload names, so old payloads stay readable after a
 * rotation. Payloads not encrypted (written before a key was configured) pass through. Fails with
 * a PayloadDecodeError naming the key id when no configured key has it, or when a payload was
 * tampered with.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly newest: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys[0] === undefined) throw new Error('AesGcmPayloadCodec needs at least one key');
    this.newest = keys[0];
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(ivBytes);
        const c = createCipheriv(cipher, this.newest.key, iv);
        const sealed = Buffer.concat([iv, c.update(serialize(payload)), c.final(), c.getAuthTag()]);
        return {
          metadata: {
            encoding: Buffer.from(encryptedEncoding),
            [keyIdMetadata]: Buffer.from(this.newest.id),
          },
          data: sealed,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    try {
      return Promise.resolve(payloads.map((payload) => this.open(payload)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private open(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== encryptedEncoding) return payload;
    const id = text(payload.metadata?.[keyIdMetadata]);
    const key = this.keys.get(id);
    if (key === undefined) {
      const held = [...this.keys.keys()].join(', ');
      throw new PayloadDecodeError(
        `payload encrypted with key id "${id}", which PAYLOAD_KEYS does not hold (it has: ${held})`,
      );
    }
    const data = Buffer.from(payload.data ?? []);
    try {
      const d = createDecipheriv(cipher, key, data.subarray(0, ivBytes));
      d.setAuthTag(data.subarray(data.length - tagBytes));
      return deserialize(Buffer.concat([d.update(data.subarray(ivBytes, data.length - tagBytes)), d.final()]));
    } catch {
      throw new PayloadDecodeError(
        `payload under key id "${id}" does not decrypt: it was altered or sealed by another key`,
      );
    }
  }
}

/**
 * The one data converter of every process that talks to Temporal (worker, client, relay, CLI,
 * API, replay, tests): the payload codec when keys are configured, the SDK's default otherwise.
 */
export function dataConverter(keys: readonly PayloadKey[]): DataConverter {
  return keys.length > 0 ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : {};
}

/** The line a process logs at start when it has no key: what it writes to Temporal is readable. */
export const unencryptedWarning =
  'PAYLOAD_KEYS is not set: workflow payloads are NOT encrypted (readable by anyone with access to Temporal histories)';
