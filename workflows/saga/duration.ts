import type { Duration } from '@temporalio/common';

const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_557_600_000,
};
// The spellings of ms (the library the SDK parses durations with), reduced to their first letter.
const units =
  /^(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)$/i;

/**
 * A Temporal `Duration` in milliseconds: a number is taken as is; a string is `<number> <unit>`
 * as the SDK accepts it ('1 second', '500ms', '2h'). The SDK's own converter is internal, so a
 * minor release could move it; this one parses the same spellings.
 *
 * @throws TypeError naming the value when it is not a finite, non-negative duration.
 */
export function durationMs(duration: Duration): number {
  if (typeof duration === 'number') {
    if (Number.isFinite(duration) && duration >= 0) return duration;
    throw new TypeError(`invalid duration ${duration}: must be a finite, non-negative number of milliseconds`);
  }
  const match = /^\s*(\d*\.?\d+)\s*([a-z]*)\s*$/i.exec(String(duration));
  const unit = match?.[2] === '' ? 'ms' : match?.[2];
  if (!match || unit === undefined || !units.test(unit)) {
    throw new TypeError(`invalid duration '${duration}': expected '<number> <unit>' (ms, s, m, h, d, w, y)`);
  }
  const key = /^ms|^msec|^milli/i.test(unit) ? 'ms' : unit.charAt(0).toLowerCase();
  return Number(match[1]) * unitMs[key]!;
}
