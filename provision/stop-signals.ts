/** A repeat of the stop signal this soon after the first is the same request, not a second one. */
export const sameRequestMs = 1000;

const stopSignals = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof stopSignals)[number];

/**
 * Calls `stop` on the first SIGINT or SIGTERM this process receives and `force` on any later
 * one, so a second Ctrl-C (or a process manager's second SIGTERM) ends a shutdown that hangs.
 * A repeat within {@link sameRequestMs} counts as the first: a terminal's Ctrl-C reaches a
 * supervisor started by `npm start` twice, once from the kernel (the whole foreground group) and
 * once forwarded by npm. Never throws; returns a function that removes the handlers again.
 */
export function onStopSignals(
  handlers: { stop(signal: StopSignal): void; force(signal: StopSignal): void },
  now: () => number = Date.now,
): () => void {
  let firstAt: number | undefined;
  const listener = (signal: StopSignal) => {
    if (firstAt === undefined) {
      firstAt = now();
      handlers.stop(signal);
    } else if (now() - firstAt >= sameRequestMs) {
      handlers.force(signal);
    }
  };
  for (const s of stopSignals) process.on(s, listener);
  return () => {
    for (const s of stopSignals) process.off(s, listener);
  };
}
