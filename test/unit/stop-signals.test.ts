import { afterEach, describe, expect, it } from 'vitest';
import { onStopSignals, sameRequestMs, type StopSignal } from '../../provision/stop-signals';

const removers: (() => void)[] = [];
afterEach(() => {
  for (const remove of removers.splice(0)) remove();
});

/** Installs the handlers on a clock the test moves, and records what they were asked to do. */
function supervisor() {
  let clock = 0;
  const calls: string[] = [];
  removers.push(
    onStopSignals(
      { stop: (s: StopSignal) => calls.push(`stop ${s}`), force: (s: StopSignal) => calls.push(`force ${s}`) },
      () => clock,
    ),
  );
  return { calls, at: (ms: number, signal: StopSignal) => ((clock = ms), process.emit(signal, signal)) };
}

describe('onStopSignals', () => {
  it('stops on the first signal and ignores a repeat inside the window (a Ctrl-C that npm forwards again)', () => {
    const s = supervisor();
    s.at(0, 'SIGINT');
    s.at(5, 'SIGINT');
    s.at(sameRequestMs - 1, 'SIGTERM');
    expect(s.calls).toEqual(['stop SIGINT']);
  });

  it('forces on a later signal, whichever of the two it is', () => {
    const s = supervisor();
    s.at(0, 'SIGTERM');
    s.at(sameRequestMs, 'SIGINT');
    expect(s.calls).toEqual(['stop SIGTERM', 'force SIGINT']);
  });
});
