import type { Finding, ReconciliationReport } from '../../contracts/reconciliation';
import type { ReportRequest } from '../../contracts/wire/billing';
import type { Pool, PoolClient } from '../shared/db';

const findingKey = (f: Finding) => `${f.kind}:${f.chargeId ?? f.orderId}`;

/**
 * Stores a run's report in one transaction: each finding is new unless an earlier run reported it,
 * and the orphaned callbacks it settled are marked handled.
 */
export async function storeReport(client: PoolClient, input: ReportRequest): Promise<ReconciliationReport> {
  const findings: ReconciliationReport['findings'] = [];
  for (const f of input.findings) {
    const inserted = await client.query(
      `INSERT INTO billing.reconciliation_findings (finding_key, kind, order_id, charge_id, action, first_report_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [findingKey(f), f.kind, f.orderId, f.chargeId, f.action, input.reportId],
    );
    findings.push({ ...f, new: inserted.rowCount === 1 });
  }
  // Orders deferred now are looked at again next time; the others are settled.
  await client.query('DELETE FROM billing.reconciliation_deferred WHERE NOT (order_id = ANY($1))', [
    input.deferredOrderIds,
  ]);
  await client.query(
    `INSERT INTO billing.reconciliation_deferred (order_id, report_id) SELECT unnest($1::text[]), $2
     ON CONFLICT (order_id) DO NOTHING`,
    [input.deferredOrderIds, input.reportId],
  );
  await client.query(
    `UPDATE billing.callbacks SET handled_at = now(), handled_note = $2
     WHERE event_id = ANY($1) AND handled_at IS NULL`,
    [input.orphanEventIds, `reconciliation ${input.reportId}`],
  );
  const report: ReconciliationReport = {
    reportId: input.reportId,
    from: input.from,
    to: input.to,
    createdAt: new Date().toISOString(),
    findings,
    orphansHandled: input.orphanEventIds,
    deferredOrderIds: input.deferredOrderIds,
    summary: {
      findings: findings.length,
      new: findings.filter((f) => f.new).length,
      repaired: input.repaired.length,
      flagged: findings.filter((f) => f.action === 'flag').length,
    },
  };
  await client.query(
    `INSERT INTO billing.reconciliation_reports (report_id, window_from, window_to, report) VALUES ($1, $2, $3, $4)`,
    [input.reportId, input.from, input.to, JSON.stringify(report)],
  );
  return report;
}

export async function latestReports(pool: Pool, limit: number): Promise<ReconciliationReport[]> {
  const { rows } = await pool.query<{ report: ReconciliationReport }>(
    `SELECT report FROM billing.reconciliation_reports ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.report);
}

/** Orders an earlier run deferred because their workflow still decided. */
export async function deferredOrders(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ orderId: string }>(
    'SELECT order_id AS "orderId" FROM billing.reconciliation_deferred ORDER BY order_id LIMIT 100000',
  );
  return rows.map((r) => r.orderId);
}

/** Callbacks whose workflow was closed or unknown, not yet settled by a reconciliation run. */
export async function orphanedCallbacks(pool: Pool) {
  const { rows } = await pool.query<{ eventId: string; orderId: string; chargeId: string; type: string }>(
    `SELECT event_id AS "eventId", order_id AS "orderId", charge_id AS "chargeId", type FROM billing.callbacks
     WHERE delivery IN ('workflow-closed', 'workflow-not-found') AND handled_at IS NULL ORDER BY received_at LIMIT 1000`,
  );
  return rows;
}
