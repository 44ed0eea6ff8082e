import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on Linux everywhere we run). */
const HZ = 100;

interface Stat {
  ppid: number;
  /** CPU seconds of the process itself. */
  own: number;
  /** CPU seconds of its children that have exited and been waited for. */
  reaped: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(f[i - 3]);
    return { ppid: n(4), own: (n(14) + n(15)) / HZ, reaped: (n(16) + n(17)) / HZ };
  } catch {
    return undefined; // gone
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every live descendant of `pid`. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/**
 * One process as the benchmark sees it: CPU seconds of it and its whole tree (exited children
 * included, as the kernel accounts them), and the resident memory of the tree. PostgreSQL is a
 * postmaster with a backend per connection, so its tree is what counts.
 */
export class ProcessMeter {
  /**
   * `tree: false` counts the process alone: the load generator, whose children are the other
   * processes measured.
   */
  constructor(
    readonly name: string,
    readonly pid: number,
    private readonly tree = true,
  ) {}

  cpuSeconds(): number {
    const root = stat(this.pid);
    if (!root) return 0;
    if (!this.tree) return root.own;
    const live = descendants(this.pid).reduce((sum, p) => sum + (stat(p)?.own ?? 0), 0);
    return root.own + root.reaped + live;
  }

  rssBytes(): number {
    return (this.tree ? [this.pid, ...descendants(this.pid)] : [this.pid]).reduce((sum, p) => sum + rssBytes(p), 0);
  }
}

/** The load generator itself (this process, without the children it started). */
export const selfMeter: ProcessMeter = new ProcessMeter('load generator', process.pid, false);

export interface Usage {
  /** CPU seconds used during the interval, per process. */
  cpuSeconds: Record<string, number>;
  /** Peak resident memory during the interval (sampled every `sampleMs`), MiB, per process. */
  peakRssMiB: Record<string, number>;
}

/**
 * Measures the processes while `work` runs: CPU seconds from /proc before and after, peak RSS by
 * sampling. Returns both with `work`'s own result.
 */
export async function metered<T>(
  meters: ProcessMeter[],
  work: () => Promise<T>,
  sampleMs = 250,
): Promise<{ result: T; usage: Usage }> {
  const before = meters.map((m) => m.cpuSeconds());
  const peak = meters.map((m) => m.rssBytes());
  const timer = setInterval(() => {
    meters.forEach((m, i) => (peak[i] = Math.max(peak[i]!, m.rssBytes())));
  }, sampleMs);
  try {
    const result = await work();
    const after = meters.map((m) => m.cpuSeconds());
    const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
    return {
      result,
      usage: {
        cpuSeconds: Object.fromEntries(meters.map((m, i) => [m.name, round(after[i]! - before[i]!)])),
        peakRssMiB: Object.fromEntries(meters.map((m, i) => [m.name, round(peak[i]! / 2 ** 20, 1)])),
      },
    };
  } finally {
    clearInterval(timer);
  }
}
