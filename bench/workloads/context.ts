import type { Activities } from '../../activities';
import type { ProcessMeter } from '../procs';
import type { Settings } from '../settings';
import type { Stack } from '../stack';
import type { BaseSystems } from '../systems';

/** What every workload runs on: the stack, its meters (the worker's first), the systems, the settings. */
export interface BenchContext {
  stack: Stack;
  meters: ProcessMeter[];
  act: Activities;
  systems: BaseSystems;
  settings: Settings;
}
