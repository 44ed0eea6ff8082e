import type { TestProject } from 'vitest/node';
import { testServerPath } from '../../provision/tools';
import { workflowBundlePath } from '../../apps/worker/bundle';
import './context';

export default async function setup(project: TestProject): Promise<void> {
  project.provide('testServerPath', testServerPath());
  project.provide('workflowBundlePath', await workflowBundlePath());
}
