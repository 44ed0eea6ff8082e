import { CancellationScope, isCancellation, type ApplicationFailure } from '@temporalio/workflow';

/**
 * Runs `work` for at most `ms` of workflow time: past it, `work` is cancelled and `late()` is
 * thrown instead. A cancellation of the workflow itself is rethrown as it is. Used to bound the
 * transient retries of a step before the pivot by the flow's own deadline.
 */
export async function within<T>(ms: number, work: () => Promise<T>, late: () => ApplicationFailure): Promise<T> {
  const outer = CancellationScope.current();
  try {
    return await CancellationScope.withTimeout(Math.max(ms, 1), work);
  } catch (err) {
    if (isCancellation(err) && !outer.consideredCancelled) throw late();
    throw err;
  }
}
