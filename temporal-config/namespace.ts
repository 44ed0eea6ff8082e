import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

const NOT_FOUND = 5; // gRPC status
const ALREADY_EXISTS = 6;

/**
 * Registers `namespace` when the cluster does not know it, keeping closed runs for
 * `retentionDays`; answers whether it was created here. An existing namespace is left as it is.
 */
export async function ensureNamespace(connection: Connection, namespace: string, retentionDays = 3): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return false;
  } catch (err) {
    if ((err as { code?: number }).code !== NOT_FOUND) throw err;
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(retentionDays * 24 * 3600 * 1000),
      description: 'saga-orchestra',
    });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
    throw err;
  }
}
