import type { TestProject } from 'vitest/node';
import { workflowBundlePath } from './bundle';
import './context';

export default async function setup(project: TestProject): Promise<void> {
  project.provide('workflowBundlePath', await workflowBundlePath());
}
