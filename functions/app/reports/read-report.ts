import type { Granularity, ReportDimension, ReportRow } from '../../core/serving/reports.js';
import { hourKey } from '../../core/serving/reports.js';
import type { Deps } from '../../deps.js';
import { entriesOfUnit } from '../../store/clearing.js';
import { allAdUnitsOfAccount } from '../../store/marketplace.js';
import { assertReportAccess, readReport } from '../../store/reports.js';
import { MS_PER_HOUR } from '../../core/shared/time.js';

/**
 * A delivery report: who may read it (404 otherwise), the hour counters summed as asked, and —
 * for an ad unit or an account — the owner's programmatic earnings in the range, split into
 * pending (in the clearing period), cleared and refunded, from the clearing entries.
 */

export interface ReportQuery {
  dimension: ReportDimension;
  id: string;
  from: string;
  to: string;
  granularity: Granularity;
}

export interface Earnings {
  pendingMicros: number;
  clearedMicros: number;
  refundedMicros: number;
}

export async function readDeliveryReport(
  deps: Pick<Deps, 'db'>,
  who: { role: string; tenantId: string },
  q: ReportQuery,
): Promise<{ rows: ReportRow[]; totals: ReportRow; earnings?: Earnings }> {
  await assertReportAccess(deps.db, who, q.dimension, q.id);
  const report = await readReport(deps.db, q.dimension, q.id, hourKey(Date.parse(q.from)), hourKey(Date.parse(q.to)), q.granularity);
  if (q.dimension !== 'adUnit' && q.dimension !== 'account') return report;
  const units = q.dimension === 'adUnit' ? [q.id] : (await allAdUnitsOfAccount(deps.db, q.id)).map((u) => u.id);
  const earnings: Earnings = { pendingMicros: 0, clearedMicros: 0, refundedMicros: 0 };
  // Whole hours, as the counters are: an interval starting in the last hour asked for is in.
  const to = new Date(Math.floor(Date.parse(q.to) / MS_PER_HOUR) * MS_PER_HOUR + MS_PER_HOUR - 1).toISOString();
  const from = new Date(Math.floor(Date.parse(q.from) / MS_PER_HOUR) * MS_PER_HOUR).toISOString();
  for (const unit of units) {
    for (const e of await entriesOfUnit(deps, unit, from, to)) {
      if (e.clearedAt === undefined) earnings.pendingMicros += e.openOwnerMicros;
      else earnings.clearedMicros += e.openOwnerMicros;
      earnings.refundedMicros += (e as { ownerMicros?: number }).ownerMicros! - e.openOwnerMicros;
    }
  }
  return { ...report, earnings };
}
