import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, tcpOpen } from '../../provision/process';
import { freeServerPort, serverPortCount } from '../../provision/temporal-server';
import { temporalCliPath } from '../../provision/tools';
import type { paymentSaga } from '../../workflows';
import pg from 'pg';
import { localDatabaseUrl, serviceNames } from '../../config';
import { anOrder } from '../support/shop';
import { devApiClient } from '../../config/api-clients';
import { envWithout, startCommand } from '../support/run';

const runCommand = async (command: string, args: string[]) => (await promisify(execFile)(command, args)).stdout;

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

type Child = ReturnType<typeof startCommand>;
type StopBy = 'SIGINT to the pid' | 'SIGTERM to the pid' | 'Ctrl-C';

/**
 * Stops a command the way a process manager (SIGINT or SIGTERM to the pid, not the group) or a
 * terminal (SIGINT to the whole foreground group, which npm forwards once more) does, and
 * resolves with its exit code once it has exited: by then every port must be free, and every
 * process that mentions the data folder gone.
 */
async function stopBy(how: StopBy, child: Child, ports: Record<string, number>, dataDir: string) {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (how === 'Ctrl-C') process.kill(-child.pid!, 'SIGINT');
  else process.kill(child.pid!, how === 'SIGINT to the pid' ? 'SIGINT' : 'SIGTERM');
  const code = await exited;
  const open = await Promise.all(Object.entries(ports).map(async ([name, p]) => [name, await tcpOpen('127.0.0.1', p)]));
  expect(open.filter(([, isOpen]) => isOpen)).toEqual([]);
  await expect.poll(() => processesMentioning(dataDir), { timeout: 10_000 }).toEqual([]);
  expect(child.output()).not.toContain('killing what is left'); // one signal is a clean stop, never a forced one
  return code;
}

/** A data folder of the test's own that the postgres user can enter too; removed after the file. */
function scratchDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'saga-stack-'));
  chmodSync(dir, 0o755); // so the cluster lives inside it even when the postgres user runs it
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts `npm start [-- args]` on `ports` over `dataDir` and waits until it says it is ready. */
async function startStack(dataDir: string, ports: Record<string, number>, args: string[] = []) {
  const env = {
    ...envWithout('DATABASE_URL', 'TEMPORAL_ADDRESS', 'SERVICE_TOKENS_FILE', 'REDIS_URL', 'TEMPORAL_ENGINE'),
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_UI_PORT: String(ports.ui),
    PG_PORT: String(ports.pg),
    REDIS_PORT: String(ports.redis),
    ...Object.fromEntries(serviceNames.map((s) => [`${s.toUpperCase()}_PORT`, String(ports[s])])),
    API_PORT: String(ports.api),
    METRICS_PORT: String(ports.metrics),
    NATS_PORT: String(ports.nats),
    ACTIVITY_PORT: String(ports.activity),
    TEMPORAL_TASK_QUEUE: 'stack-test',
  };
  const stack = startCommand('npm', ['start', '--silent', ...(args.length > 0 ? ['--', ...args] : [])], env);
  try {
    await expect.poll(() => stack.output(), { timeout: 150_000, interval: 500 }).toContain('ready.');
  } catch (err) {
    // Say why: the log of every part that was started.
    const logs = readdirSync(join(dataDir, 'logs')).map(
      (f) => `--- ${f}\n${readFileSync(join(dataDir, 'logs', f), 'utf8').slice(-3000)}`,
    );
    throw new Error(`${String(err)}\n${stack.output()}\n${logs.join('\n')}`);
  }
  return stack;
}

/** Stops the stack by `how`: a clean exit, every part stopped, in reverse order of starting. */
async function stopStack(dataDir: string, how: StopBy, stack: Child, ports: Record<string, number>) {
  expect(await stopBy(how, stack, ports, dataDir)).toBe(0);
  const order = ['api', 'activity', 'relay', 'worker', 'services', 'temporal', 'redis', 'nats', 'postgres'].map(
    (part) => stack.output().indexOf(`stopping ${part}\n`),
  );
  expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
}

/** Free ports for every part of the stack; the Temporal frontend with the nine after it free too. */
async function stackPorts(): Promise<Record<string, number>> {
  const ports: Record<string, number> = { temporal: await freeServerPort() };
  for (let k = 1; k < serverPortCount; k++) ports[`temporal+${k}`] = ports.temporal! + k;
  for (const part of ['ui', 'pg', 'redis', 'api', 'metrics', 'nats', 'activity', ...serviceNames])
    ports[part] = await freePort();
  return ports;
}

/**
 * `npm start` end to end, on ports and a data folder of its own: everything comes up healthy, the
 * UI answers, a saga runs through worker and service; SIGINT, then SIGTERM, to the npm process
 * stop the whole stack in reverse order and leave no process and no open port behind; a second
 * start reuses the data.
 */
describe('npm start', () => {
  const dataDir = scratchDataDir();

  it('starts everything, runs a saga, stops cleanly, and restarts on the same data', async () => {
    const ports = await stackPorts();
    const inventory = `http://127.0.0.1:${ports.inventory}`;

    const first = await startStack(dataDir, ports);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    // The first start wrote the service tokens, readable by their owner only; callers need one.
    const tokensFile = join(dataDir, 'service-tokens.json');
    expect(first.output()).toContain(`tokens       ${tokensFile} (generated`);
    expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
    const { callers } = JSON.parse(readFileSync(tokensFile, 'utf8')) as { callers: Record<string, string> };
    const operator = { authorization: `Bearer ${callers.operator}` };
    expect((await fetch(`${inventory}/stock/STACK-1`)).status).toBe(401);
    for (const sku of ['STACK-1', 'STACK-2']) {
      await fetch(`${inventory}/stock/${sku}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...operator },
        body: JSON.stringify({ available: 5 }),
      });
    }
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const client = new Client({ connection });
    // The order goes in through the order service; the outbox relay starts its saga.
    const created = await fetch(`http://127.0.0.1:${ports.order}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'create:stack-1', ...operator },
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
    const order = (await (
      await fetch(`http://127.0.0.1:${ports.order}/orders/stack-1`, { headers: operator })
    ).json()) as { status: string };
    expect(order.status).toBe('PARTIALLY_REFUNDED');
    // The order's events went through JetStream into the customer-activity read model.
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${ports.activity}/customers/cust-stack-1/activity`)).json(), {
        timeout: 30_000,
      })
      .toMatchObject({ ordersPlaced: 1, ordersPaid: 1, refundedCents: 1500 });

    await stopStack(dataDir, 'SIGINT to the pid', first, ports);
    // Our processes write nothing but JSON lines, so a log pipeline can parse every one.
    for (const part of ['api', 'activity', 'relay', 'worker', 'services']) {
      const lines = readFileSync(join(dataDir, 'logs', `${part}.log`), 'utf8').split('\n');
      const notJson = lines.filter((l) => l.trim() !== '' && !isJson(l));
      expect(notJson, `${part}.log`).toEqual([]);
    }

    const second = await startStack(dataDir, ports);
    try {
      const again = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      const described = await new Client({ connection: again }).workflow.getHandle('payment:stack-1').describe();
      expect(described.status.name).toBe('COMPLETED'); // Temporal state survived in the SQLite file
      await again.close();
      expect(second.output()).toContain(`tokens       ${tokensFile} (kept`);
      const stock = (await (await fetch(`${inventory}/stock/STACK-1`, { headers: operator })).json()) as {
        available: number;
      };
      expect(stock.available).toBe(4); // PostgreSQL data survived too (3 left, 1 returned)
      expect(second.output()).not.toContain('bootstrap: installing'); // tools were reused
    } finally {
      await stopStack(dataDir, 'SIGTERM to the pid', second, ports);
    }
  });
});

/**
 * `npm start -- --engine server` from outside, as an operator would: the production Temporal server
 * on the project's PostgreSQL cluster and its Web UI, the README's tour (an order through the order
 * service's outbox, a refund over the HTTP API), the standard `temporal` CLI against it, and a
 * clean stop that leaves no process and no open port (all ten of the server's) behind.
 */
describe('npm start -- --engine server', () => {
  const dataDir = scratchDataDir();

  it('runs the whole stack on the production server and stops it cleanly', async () => {
    const ports = await stackPorts();
    const stack = await startStack(dataDir, ports, ['--engine', 'server']);
    try {
      expect(stack.output()).toMatch(/Temporal +127\.0\.0\.1:\d+ \(production server v1\.32, PostgreSQL/);
      expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
      const tokens = JSON.parse(readFileSync(join(dataDir, 'service-tokens.json'), 'utf8')) as {
        callers: Record<string, string>;
      };
      const operator = { 'content-type': 'application/json', authorization: `Bearer ${tokens.callers.operator}` };
      for (const sku of ['ENG-1', 'ENG-2']) {
        await fetch(`http://127.0.0.1:${ports.inventory}/stock/${sku}`, {
          method: 'PUT',
          headers: operator,
          body: JSON.stringify({ available: 5 }),
        });
      }
      const created = await fetch(`http://127.0.0.1:${ports.order}/orders`, {
        method: 'POST',
        headers: { ...operator, 'idempotency-key': 'create:eng-1' },
        body: JSON.stringify(anOrder('eng-1', ['ENG-1', 'ENG-2'])),
      });
      expect(created.status).toBe(201);
      const order = async () =>
        (
          (await (await fetch(`http://127.0.0.1:${ports.order}/orders/eng-1`, { headers: operator })).json()) as {
            status: string;
          }
        ).status;
      await expect.poll(order, { timeout: 60_000 }).toBe('PAID');

      const api = `http://127.0.0.1:${ports.api}`;
      const auth = { 'content-type': 'application/json', authorization: `Bearer ${devApiClient.token}` };
      const refund = await fetch(`${api}/refunds`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          refundId: 'eng-r1',
          orderId: 'eng-1',
          amountCents: 1500,
          items: [{ sku: 'ENG-1', quantity: 1 }],
          reason: 'one item came back',
          requestedBy: 'agent-7',
        }),
      });
      expect(refund.status).toBe(202);
      await expect.poll(order, { timeout: 60_000 }).toBe('PARTIALLY_REFUNDED');

      // The standard CLI sees both runs and their business state in the search attributes.
      const listed = await runCommand(temporalCliPath(), [
        'workflow',
        'list',
        '--address',
        `127.0.0.1:${ports.temporal}`,
        '--query',
        "SagaStatus = 'COMPLETED'",
        '--output',
        'json',
      ]);
      const ids = (JSON.parse(listed) as { execution: { workflowId: string } }[]).map((w) => w.execution.workflowId);
      expect(ids.sort()).toEqual(['payment:eng-1', 'refund:eng-r1']);
      // The Web UI's server reads the same cluster: its API lists the same runs.
      const ui = (await (
        await fetch(
          `http://127.0.0.1:${ports.ui}/api/v1/namespaces/default/workflows?query=${encodeURIComponent("SagaStatus = 'COMPLETED'")}`,
        )
      ).json()) as { executions: { execution: { workflowId: string } }[] };
      expect(ui.executions.map((e) => e.execution.workflowId).sort()).toEqual(['payment:eng-1', 'refund:eng-r1']);
    } finally {
      await stopStack(dataDir, 'SIGTERM to the pid', stack, ports);
    }
  });
});

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * `npm run postgres` is a part with no child process of ours (pg_ctl daemonises the cluster): the
 * supervisor still stays until Ctrl-C, and then stops the cluster.
 */
describe('npm run postgres', () => {
  const dataDir = scratchDataDir();

  it('supervises the cluster until Ctrl-C, then stops it', async () => {
    const port = await freePort();
    const env = { ...envWithout('DATABASE_URL'), DATA_DIR: dataDir, PG_PORT: String(port) };
    const run = startCommand('npm', ['run', '--silent', 'postgres'], env);
    await expect.poll(() => run.output(), { timeout: 60_000, interval: 300 }).toContain('ready.');
    const client = new pg.Client({ connectionString: localDatabaseUrl(port, 'postgres') });
    await client.connect();
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
    expect(run.exitCode).toBeNull(); // still supervising once the cluster has served a query

    expect(await stopBy('Ctrl-C', run, { pg: port }, dataDir)).toBe(0);
    expect(run.output()).toContain('stopping postgres');
  });
});
