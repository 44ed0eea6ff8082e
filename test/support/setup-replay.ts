import type { TestProject } from 'vitest/node';
import { workflowBundlePath } from '../../apps/worker/bundle';
import './context';

export default async function setup(project: TestProject): Promise<void> {
  project.provide('workflowBundlePath', await workflowBundlePath());
}
