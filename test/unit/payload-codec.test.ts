import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import {
  AesGcmPayloadCodec,
  dataConverter,
  encryptedEncoding,
  keyIdMetadata,
  PayloadDecodeError,
} from '../../temporal-config/payload-codec';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64');
const keysOf = (value: string) => loadConfig({ PAYLOAD_KEYS: value }).payloadKeys;
const input = { orderId: 'o-1', customerId: 'cust-secret-7', paymentMethod: 'pm_card_success' };
const payload = () => defaultPayloadConverter.toPayload(input);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString();

describe('PAYLOAD_KEYS', () => {
  it('reads keys newest first, each 32 bytes under its id', () => {
    const keys = keysOf(`kid1:${b64(32)},kid0:${b64(32)}`);
    expect(keys.map((k) => [k.id, k.key.length])).toEqual([
      ['kid1', 32],
      ['kid0', 32],
    ]);
    expect(loadConfig({}).payloadKeys).toEqual([]);
  });

  it.each([
    ['a short key', `kid1:${b64(16)}`, 'key 1 (kid1): must be 32 bytes (AES-256), got 16'],
    ['bad base64', 'kid1:not*base64!', 'key 1 (kid1): must be standard base64'],
    ['a duplicate key id', `kid1:${b64(32)},kid1:${b64(32)}`, 'key 2 (kid1): key id is listed twice'],
    ['no key id', b64(32), 'key 1'],
  ])('refuses %s, naming the variable and never echoing the key', (_what, value, rule) => {
    let err: unknown;
    try {
      keysOf(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`PAYLOAD_KEYS: ${rule}`);
    expect((err as Error).message).not.toContain(value.split(':')[1] ?? value);
  });
});

describe('AesGcmPayloadCodec', () => {
  it('seals the whole payload under the newest key and opens it again', async () => {
    const codec = new AesGcmPayloadCodec(keysOf(`kid1:${b64(32)},kid0:${b64(32)}`));
    const [sealed] = await codec.encode([payload()]);
    expect(text(sealed!.metadata!.encoding)).toBe(encryptedEncoding);
    expect(text(sealed!.metadata![keyIdMetadata])).toBe('kid1');
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('cust-secret-7');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(input);
  });

  it('after a rotation decodes payloads of the old key; without that key it names the missing id', async () => {
    const old = `kid0:${b64(32)}`;
    const [sealedOld] = await new AesGcmPayloadCodec(keysOf(old)).encode([payload()]);
    const rotated = new AesGcmPayloadCodec(keysOf(`kid1:${b64(32)},${old}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealedOld!]))[0]!)).toEqual(input);
    expect(text((await rotated.encode([payload()]))[0]!.metadata![keyIdMetadata])).toBe('kid1');

    const without = new AesGcmPayloadCodec(keysOf(`kid1:${b64(32)}`));
    await expect(without.decode([sealedOld!])).rejects.toThrow(PayloadDecodeError);
    await expect(without.decode([sealedOld!])).rejects.toThrow(/key id "kid0"/);
  });

  it('refuses an altered payload, and passes through one written before encryption', async () => {
    const codec = new AesGcmPayloadCodec(keysOf(`kid1:${b64(32)}`));
    const [sealed] = await codec.encode([payload()]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/does not decrypt/);
    expect(await codec.decode([payload()])).toEqual([payload()]);
  });

  it('is the one converter: none without keys, the codec with them', () => {
    expect(dataConverter([])).toEqual({});
    expect(dataConverter(keysOf(`kid1:${b64(32)}`)).payloadCodecs?.[0]).toBeInstanceOf(AesGcmPayloadCodec);
  });
});
