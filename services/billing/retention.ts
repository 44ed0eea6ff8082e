import type { RetentionReport } from '../../contracts/retention';
import type { Pool, PoolClient } from '../shared/db';
import type { RetentionStep } from '../shared/retention';

/**
 * Billing's callbacks past the window, oldest first: only those settled, signalled to their
 * workflow or handled by reconciliation; an orphan no run has handled yet is kept, however old.
 */
export const settledCallbacks: RetentionStep = async (client, windowMs, limit) => {
  const { rowCount } = await client.query(
    `DELETE FROM billing.callbacks WHERE event_id IN (
       SELECT event_id FROM billing.callbacks
       WHERE received_at < now() - $1 * interval '1 millisecond'
         AND (delivery = 'signalled' OR handled_at IS NOT NULL)
       ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [windowMs, limit],
  );
  return rowCount ?? 0;
};

/** Stores a retention run's report (once per report id: a repeated store keeps the first) and answers it. */
export async function storeRetentionReport(client: PoolClient, report: RetentionReport): Promise<RetentionReport> {
  await client.query(
    `INSERT INTO billing.retention_reports (report_id, report) VALUES ($1, $2) ON CONFLICT (report_id) DO NOTHING`,
    [report.reportId, JSON.stringify(report)],
  );
  return report;
}

/** The latest retention reports, newest first. */
export async function latestRetentionReports(pool: Pool, limit: number): Promise<RetentionReport[]> {
  const { rows } = await pool.query<{ report: RetentionReport }>(
    `SELECT report FROM billing.retention_reports ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.report);
}
