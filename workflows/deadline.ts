import { CancellationScope, isCancellation, patched, sleep, type ApplicationFailure } from '@temporalio/workflow';

/**
 * The patch that gives a deadline's timer a summary (the Temporal UI shows it instead of `1 (14m, 59s)`):
 * the scope races a `sleep` of its own in place of `CancellationScope.withTimeout`, command for command
 * the same (the timer starts before `work`, and is cancelled once `work` ended first).
 */
export const deadlineTimerSummaryPatch = 'deadline-timer-summary';

/**
 * Runs `work` for at most `ms` of workflow time: past it, `work` is cancelled and `late()` is
 * thrown instead. A cancellation of the workflow itself is rethrown as it is. Used to bound the
 * transient retries of a step before the pivot by the flow's own deadline; `summary` names the
 * deadline's timer in the event history (what happens when it fires).
 */
export async function within<T>(
  ms: number,
  work: () => Promise<T>,
  late: () => ApplicationFailure,
  summary: string,
): Promise<T> {
  const outer = CancellationScope.current();
  const timeout = Math.max(ms, 1);
  try {
    // Runs started before the patch keep the timer withTimeout made, without a summary.
    if (!patched(deadlineTimerSummaryPatch)) return await CancellationScope.withTimeout(timeout, work);
    return await raceTimer(timeout, work, summary);
  } catch (err) {
    if (isCancellation(err) && !outer.consideredCancelled) throw late();
    throw err;
  }
}

/** `work` in a scope that a timer of `ms` (named `summary`) cancels; the timer goes once `work` ended. */
function raceTimer<T>(ms: number, work: () => Promise<T>, summary: string): Promise<T> {
  const scope = new CancellationScope();
  return scope.run(async () => {
    const timer = new CancellationScope();
    // A timer cancelled because `work` ended first, or because the workflow was cancelled, rejects: nothing to do.
    void timer
      .run(() => sleep(ms, { summary }))
      .then(
        () => scope.cancel(),
        () => undefined,
      );
    try {
      return await work();
    } finally {
      if (!timer.consideredCancelled) timer.cancel();
    }
  });
}
