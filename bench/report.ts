import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { StartupResult } from './workloads/startup';

type Latency = { p50: number; p95: number; p99: number; max: number };
interface Row {
  system: string;
  sagas: number;
  compensated?: number;
  errors?: number;
  sagasPerSecond: number;
  latencyMs: Latency;
  usage: { cpuSeconds: Record<string, number>; peakRssMiB: Record<string, number> };
  cpuSecondsPerSaga?: number;
  historyEventsPerSaga?: number;
  pgCommitsPerSaga: number;
}
interface Step extends Row {
  rate: number;
  keepsUp: boolean;
}
export interface SagaReport {
  scenario: string;
  date: string;
  machine: { cores: number; cpu?: string; memoryGiB: number; node: string };
  durability: { postgres: Record<string, string>; temporal: string };
  settings: Record<string, unknown>;
  results: {
    startup?: StartupResult;
    backgroundCommitsPerSecond?: number;
    W1?: Row[];
    W2?: { steps: Step[]; capacity: Record<string, number> };
    W3?: (Row & { steps: number })[];
    W4?: (Row & { failingPercent: number })[];
    soak?: {
      rate: number;
      minutes: number;
      sagas: number;
      errors: number;
      latencyMs: Latency;
      workerRssMiB: { firstTwoMinutes: number; lastTwoMinutes: number };
    };
  };
}

const processes = ['worker', 'temporal', 'postgres', 'services', 'load generator'];

function table(header: string[], rows: (string | number | undefined)[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((h) => '-'.repeat(Math.max(3, h.length))).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (c === undefined ? '–' : String(c))).join(' | ')} |`),
  ];
}

const cpu = (r: Row) => processes.map((p) => r.usage.cpuSeconds[p]);
const rss = (r: Row) => processes.map((p) => r.usage.peakRssMiB[p]);

/** The latency of each system against the arrival rate (W2), as a PNG. */
async function chart(steps: Step[]): Promise<Buffer> {
  const values = steps.flatMap((s) =>
    (['p50', 'p99'] as const).map((q) => ({ system: s.system, rate: s.rate, latency: s.latencyMs[q], percentile: q })),
  );
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Latency against arrival rate (open loop, from the scheduled start)',
    width: 640,
    height: 360,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'rate', type: 'quantitative', title: 'arrival rate (sagas/s)' },
      y: { field: 'latency', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
      color: { field: 'system', type: 'nominal', title: 'system' },
      strokeDash: { field: 'percentile', type: 'nominal', title: 'percentile' },
    },
    config: { font: 'DejaVu Sans' },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return Buffer.from(png.render().asPng());
}

/** The Markdown report and the chart of one benchmark run. */
export async function renderReport(report: SagaReport): Promise<{ markdown: string[]; chart?: Buffer }> {
  const { machine: m, results: r } = report;
  const day = report.date.slice(0, 10);
  const md: string[] = [
    `# Sagas, ${day}`,
    '',
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}. Every process on this one machine.`,
    `PostgreSQL: ${Object.entries(report.durability.postgres)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}. Temporal: ${report.durability.temporal}.`,
    '',
    'Systems: **a** the same business steps called in sequence from a Node process (no engine, compensation in code);',
    '**b** a Temporal workflow of the same shape whose activities do nothing; **c** our paymentSaga on the real services,',
    'and its variants. CPU seconds and peak RSS (MiB) are per process over the whole run.',
  ];
  if (r.backgroundCommitsPerSecond !== undefined) {
    md.push(
      '',
      `PostgreSQL commits per saga leave out the ${r.backgroundCommitsPerSecond} commits/s the services make with no saga running.`,
    );
  }
  if (r.startup) {
    md.push(
      '',
      '## Worker start',
      '',
      `Bundling the workflow code at start: ${r.startup.bundleAtStartMs} ms; loading the prebuilt bundle: ${r.startup.prebuiltBundleMs} ms.`,
    );
    md.push(
      '',
      `The operator CLI (\`node --import tsx apps/cli/index.ts\`, median of 5): \`--help\` ${r.startup.cli.helpMs} ms, \`list --limit 1\` against the server ${r.startup.cli.listMs} ms. \`npm run saga\` adds npm's own start.`,
    );
  }
  if (r.W1) {
    md.push('', '## W1 latency: one saga at a time', '');
    md.push(
      ...table(
        [
          'system',
          'sagas',
          'sagas/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'history events',
          'PG commits',
          ...processes.map((p) => `CPU s ${p}`),
        ],
        r.W1.map((x) => [
          x.system,
          x.sagas,
          x.sagasPerSecond,
          x.latencyMs.p50,
          x.latencyMs.p95,
          x.latencyMs.p99,
          x.latencyMs.max,
          x.historyEventsPerSaga,
          x.pgCommitsPerSaga,
          ...cpu(x),
        ]),
      ),
      '',
      ...table(
        ['system', ...processes.map((p) => `peak RSS ${p}`)],
        r.W1.map((x) => [x.system, ...rss(x)]),
      ),
    );
  }
  let png: Buffer | undefined;
  if (r.W2) {
    md.push('', '## W2 capacity: open-loop arrivals', '');
    md.push(
      `Highest rate that keeps up (completions within 5 % of arrivals, p99 under 1 s): ${Object.entries(r.W2.capacity)
        .map(([k, v]) => `${k} ${v}/s`)
        .join(', ')}.`,
      '',
      '![latency against arrival rate](./' + `${day}-${report.scenario}.png)`,
      '',
      ...table(
        [
          'system',
          'rate/s',
          'done/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'keeps up',
          'PG commits',
          ...processes.map((p) => `CPU s ${p}`),
        ],
        r.W2.steps.map((x) => [
          x.system,
          x.rate,
          x.sagasPerSecond,
          x.latencyMs.p50,
          x.latencyMs.p99,
          x.latencyMs.max,
          x.keepsUp ? 'yes' : 'no',
          x.pgCommitsPerSaga,
          ...cpu(x),
        ]),
      ),
    );
    png = await chart(r.W2.steps);
  }
  if (r.W3) {
    md.push('', '## W3 length: 1 to 16 steps, one saga at a time', '');
    md.push(
      ...table(
        ['system', 'steps', 'p50 ms', 'p99 ms', 'CPU s/saga', 'history events', 'PG commits'],
        r.W3.map((x) => [
          x.system,
          x.steps,
          x.latencyMs.p50,
          x.latencyMs.p99,
          x.cpuSecondsPerSaga,
          x.historyEventsPerSaga,
          x.pgCommitsPerSaga,
        ]),
      ),
    );
  }
  if (r.W4) {
    md.push('', '## W4 compensation: a refusal at the charge', '');
    md.push(
      ...table(
        ['system', 'failing', 'sagas', 'compensated', 'sagas/s', 'p50 ms', 'p99 ms', 'CPU s/saga', 'PG commits'],
        r.W4.map((x) => [
          x.system,
          `${x.failingPercent} %`,
          x.sagas,
          x.compensated,
          x.sagasPerSecond,
          x.latencyMs.p50,
          x.latencyMs.p99,
          x.cpuSecondsPerSaga,
          x.pgCommitsPerSaga,
        ]),
      ),
    );
  }
  if (r.soak) {
    const s = r.soak;
    md.push(
      '',
      '## Soak: worker memory',
      '',
      `${s.minutes} min at ${s.rate} sagas/s (70 % of capacity), ${s.sagas} sagas, ${s.errors} errors, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms.`,
      `Worker RSS: ${s.workerRssMiB.firstTwoMinutes} MiB over the first two minutes, ${s.workerRssMiB.lastTwoMinutes} MiB over the last two.`,
    );
  }
  return { markdown: md, ...(png ? { chart: png } : {}) };
}
