import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, tcpOpen } from '../../provision/process';
import type { paymentSaga } from '../../workflows';
import { serviceNames } from '../../config';
import { anOrder } from '../support/shop';
import { devApiClient } from '../../config/api-clients';
import { envWithout, startCommand } from '../support/run';

/** Command lines of running processes that mention `text` (the test's own data folder). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * `npm start` end to end, on ports and a data folder of its own: everything comes up healthy, the
 * UI answers, a saga runs through worker and service; Ctrl-C leaves no process and no open port
 * behind; a second start reuses the data.
 */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-stack-'));
  chmodSync(dataDir, 0o755); // so the cluster lives inside it even when the postgres user runs it
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function startStack(ports: Record<string, number>) {
    const env = {
      ...envWithout('DATABASE_URL', 'TEMPORAL_ADDRESS'),
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      TEMPORAL_UI_PORT: String(ports.ui),
      PG_PORT: String(ports.pg),
      ...Object.fromEntries(serviceNames.map((s) => [`${s.toUpperCase()}_PORT`, String(ports[s])])),
      API_PORT: String(ports.api),
      METRICS_PORT: String(ports.metrics),
      TEMPORAL_TASK_QUEUE: 'stack-test',
    };
    const stack = startCommand('npm', ['start', '--silent'], env);
    try {
      await expect.poll(() => stack.output(), { timeout: 150_000, interval: 500 }).toContain('ready.');
    } catch (err) {
      // Say why: the log of every part that was started.
      const logs = readdirSync(join(dataDir, 'logs')).map(
        (f) => `--- ${f}\n${readFileSync(join(dataDir, 'logs', f), 'utf8').slice(-3000)}`,
      );
      throw new Error(`${String(err)}\n${logs.join('\n')}`);
    }
    return stack;
  }

  /** Ctrl-C as a terminal sends it (SIGINT to the whole foreground group); resolves when all is stopped. */
  async function interrupt(stack: ReturnType<typeof startCommand>, ports: Record<string, number>) {
    const exited = new Promise<void>((resolve) => stack.once('exit', () => resolve()));
    process.kill(-stack.pid!, 'SIGINT');
    await exited;
    // npm itself exits at once on SIGINT; the stack's own shutdown goes on until every part stopped.
    await expect
      .poll(() => Promise.all(Object.values(ports).map((p) => tcpOpen('127.0.0.1', p))), { timeout: 60_000 })
      .toEqual(Object.values(ports).map(() => false));
    await expect.poll(() => processesMentioning(dataDir), { timeout: 30_000 }).toEqual([]);
    expect(stack.output()).toContain('stopping relay');
    expect(stack.output()).toContain('stopping postgres');
  }

  it('starts everything, runs a saga, stops cleanly, and restarts on the same data', async () => {
    const ports: Record<string, number> = {};
    for (const part of ['temporal', 'ui', 'pg', 'api', 'metrics', ...serviceNames]) ports[part] = await freePort();
    const inventory = `http://127.0.0.1:${ports.inventory}`;

    const first = await startStack(ports);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    for (const sku of ['STACK-1', 'STACK-2']) {
      await fetch(`${inventory}/stock/${sku}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ available: 5 }),
      });
    }
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const client = new Client({ connection });
    // The order goes in through the order service; the outbox relay starts its saga.
    const created = await fetch(`http://127.0.0.1:${ports.order}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'create:stack-1' },
      body: JSON.stringify(anOrder('stack-1', ['STACK-1', 'STACK-2'])),
    });
    expect(created.status).toBe(201);
    const handle = client.workflow.getHandle<typeof paymentSaga>('payment:stack-1');
    await expect
      .poll(
        () =>
          handle.describe().then(
            () => true,
            () => false,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    expect((await handle.result()).status).toBe('PAID');
    await connection.close();

    // A service in another language refunds part of it over the HTTP API.
    const api = `http://127.0.0.1:${ports.api}`;
    const auth = { authorization: `Bearer ${devApiClient.token}` };
    const refund = await fetch(`${api}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        refundId: 'stack-r1',
        orderId: 'stack-1',
        amountCents: 1500,
        items: [{ sku: 'STACK-1', quantity: 1 }],
        reason: 'one item came back',
        requestedBy: 'agent-7',
      }),
    });
    expect(refund.status).toBe(202);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${api}/refunds/stack-r1`, { headers: auth })).json()) as { status: string }).status,
        {
          timeout: 30_000,
        },
      )
      .toBe('COMPLETED');
    const order = (await (await fetch(`http://127.0.0.1:${ports.order}/orders/stack-1`)).json()) as { status: string };
    expect(order.status).toBe('PARTIALLY_REFUNDED');

    await interrupt(first, ports);

    const second = await startStack(ports);
    try {
      const again = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      const described = await new Client({ connection: again }).workflow.getHandle('payment:stack-1').describe();
      expect(described.status.name).toBe('COMPLETED'); // Temporal state survived in the SQLite file
      await again.close();
      const stock = (await (await fetch(`${inventory}/stock/STACK-1`)).json()) as { available: number };
      expect(stock.available).toBe(4); // PostgreSQL data survived too (3 left, 1 returned)
      expect(second.output()).not.toContain('bootstrap: installing'); // tools were reused
    } finally {
      await interrupt(second, ports);
    }
  });
});
