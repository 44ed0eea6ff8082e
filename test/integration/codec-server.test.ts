import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCodecServer } from '../../apps/codec-server/app';
import { startPayment } from '../../client';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { freePort } from '../../provision/process';
import { startTemporalDev, type DevServer } from '../../provision/temporal-dev';
import { projectRoot } from '../../provision/tools';
import { AesGcmPayloadCodec, dataConverter } from '../../temporal-config/payload-codec';
import { anOrder } from '../support/shop';

const keysOf = (value: string) => loadConfig({ PAYLOAD_KEYS: value }).payloadKeys;
const keys = keysOf(`kid1:${randomBytes(32).toString('base64')}`);
const token = 'codec-test-token-0123456789';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-sync',
];
const artifacts = join(projectRoot, 'test-results');

let codecServer: FastifyInstance;
let codecUrl = '';
let uiUrl = '';
let server: DevServer;
let connection: Connection;
let browser: Browser;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const uiPort = await freePort();
  uiUrl = `http://127.0.0.1:${uiPort}`;
  codecServer = buildCodecServer({
    codec: new AesGcmPayloadCodec(keys),
    token,
    origins: [uiUrl],
    logger: createLogger('test-codec', 'silent'),
  });
  await codecServer.listen({ host: '127.0.0.1', port: 0 });
  stops.push(() => codecServer.close());
  codecUrl = `http://127.0.0.1:${(codecServer.server.address() as { port: number }).port}`;
  server = await startTemporalDev({
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort,
    uiCodecEndpoint: `${codecUrl}/codec`, // the UI posts to <endpoint>/decode
    namespace: 'default',
    logFile: join(projectRoot, '.data', 'logs', 'temporal-codec-test.log'),
  });
  stops.push(() => server.stop());
  connection = await Connection.connect({ address: server.address });
  stops.push(() => connection.close());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  stops.push(() => browser.close());
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

const call = (op: 'encode' | 'decode', body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${codecUrl}/codec/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const bearer = { authorization: `Bearer ${token}` };
const jsonPayload = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  };
};

describe('the codec server', () => {
  it('encodes and decodes in the codec-server format, only with the bearer token', async () => {
    const plain = { payloads: [jsonPayload({ customerId: 'cust-codec-1' })] };
    expect((await call('encode', plain)).status).toBe(401);
    expect((await call('encode', plain, { authorization: 'Bearer wrong-token-123456789' })).status).toBe(401);
    const encoded = (await (await call('encode', plain, bearer)).json()) as typeof plain;
    expect(Buffer.from(encoded.payloads[0]!.data, 'base64').toString('latin1')).not.toContain('cust-codec-1');
    expect((await call('decode', encoded)).status).toBe(401);
    const decoded = (await (await call('decode', encoded, bearer)).json()) as typeof plain;
    expect(decoded).toEqual(plain);
  });

  it('names the key id of a payload it cannot open, and refuses a body of another shape', async () => {
    const other = new AesGcmPayloadCodec(keysOf(`kid9:${randomBytes(32).toString('base64')}`));
    const [sealed] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(sealed!.data!).toString('base64'),
        },
      ],
    };
    const answer = await call('decode', body, bearer);
    expect(answer.status).toBe(422);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toContain('key id "kid9"');
    expect((await call('decode', { payloads: 'nope' }, bearer)).status).toBe(400);
  });

  it('answers CORS for the Web UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${codecUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    const ui = await preflight(uiUrl);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(uiUrl);
    expect(ui.headers.get('access-control-allow-headers')).toContain('authorization');
    const elsewhere = await preflight('http://evil.example');
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the Web UI shows a decoded workflow input with the token, ciphertext without it', async () => {
    const client = new Client({ connection, dataConverter: dataConverter(keys) });
    // No worker polls this queue: the saga only needs to exist, with its encrypted input.
    const input = anOrder('codec-ui', ['CU-a', 'CU-b'], { customerId: 'cust-visible-with-codec' });
    const handle = await startPayment(client, input, { taskQueue: 'codec-ui-nobody' });
    mkdirSync(artifacts, { recursive: true });
    const url = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`;
    /** Opens the run's page until its body shows `expected`; keeps a screenshot either way. */
    const open = async (headers: Record<string, string>, shot: string, expected: string) => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, extraHTTPHeaders: headers });
      const page = await context.newPage();
      try {
        await page.goto(url, { waitUntil: 'domcontentloaded' });
        await expect
          .poll(() => page.locator('body').innerText(), { timeout: 60_000, interval: 1000 })
          .toContain(expected);
        return await page.locator('body').innerText();
      } finally {
        await page.screenshot({ path: join(artifacts, shot), fullPage: true });
        await context.close();
      }
    };
    try {
      await open(bearer, 'temporal-ui-codec-decoded.png', 'cust-visible-with-codec');
      // Without the token the codec server refuses (401): the UI says so and shows the ciphertext.
      const encoded = await open({}, 'temporal-ui-codec-encoded.png', 'Codec Server could not connect');
      expect(encoded).not.toContain('cust-visible-with-codec');
    } finally {
      await handle.terminate('test done');
    }
  });
});
