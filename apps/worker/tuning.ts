import type { WorkerOptions } from '@temporalio/worker';

/**
 * Worker settings for a small machine (2 cores), where the worker shares the CPU with the
 * services, PostgreSQL and the Temporal server. The benchmark (`npm run bench`) runs with these;
 * docs/tuning.md explains each against its measurements.
 */
export const smallMachineTuning = {
  // One workflow thread: on 2 cores a second thread only competes with the Temporal server and
  // PostgreSQL for the same CPU; a workflow task of ours takes well under a millisecond.
  workflowThreadPoolSize: 1,
  // Workflow tasks in flight at once. Each is short; more only queue inside the worker.
  maxConcurrentWorkflowTaskExecutions: 20,
  // Two long polls each for workflow and activity tasks fill those slots on a loopback server.
  maxConcurrentWorkflowTaskPolls: 2,
  maxConcurrentActivityTaskPolls: 2,
  // Activities are HTTP calls that wait on I/O: many may be in flight on one event loop.
  maxConcurrentActivityTaskExecutions: 200,
  maxConcurrentLocalActivityExecutions: 200,
  // Running sagas kept in memory (sticky), so a task does not replay the history: about a few
  // hundred KiB each with the reused V8 context; 2,000 covers the open-loop peak with room.
  maxCachedWorkflows: 2000,
} satisfies Partial<WorkerOptions>;
