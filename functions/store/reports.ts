import { buildReport, type CounterName, type Granularity, type ReportDimension, type ReportRow } from '../core/serving/reports.js';
import { NotFoundError } from '../core/shared/errors.js';
import type { Db } from './client.js';
import { getItem, queryAll } from './items.js';
import { keys } from './keys.js';
import { updateOp } from './entity.js';
import { writeOne } from './transact.js';

/**
 * Report counters: `REPORT#<dimension>#<id> / <YYYY-MM-DDTHH>` items whose counters are ADDed as
 * events happen; a campaign also has a lifetime `TOTAL` item, which the serve instances read for
 * the CTR estimate. A report is one Query over the hours asked for (sk BETWEEN), never a scan of
 * events. Forged tokens cannot be trusted to name a campaign: they count on `platform / all`.
 */

export type CounterDimension = ReportDimension;
export const LIFETIME = 'TOTAL';

/** Named counters, and invalid events per reason (`invalid:<reason>`). */
export type Increments = Partial<Record<CounterName | `invalid:${string}`, number>>;

export interface CounterTarget {
  dimension: CounterDimension;
  id: string;
  /** An hour key, or LIFETIME. */
  period: string;
}

/** ADDs the increments to one counter item (created on first use). */
export async function addCounters(db: Db, target: CounterTarget, inc: Increments): Promise<void> {
  const names = Object.entries(inc).filter(([, v]) => v !== undefined && v !== 0) as [string, number][];
  if (names.length === 0) return;
  await writeOne(
    db,
    updateOp(db, keys.report(target.dimension, target.id, target.period), { add: Object.fromEntries(names), set: { entity: 'reportCounter' } }),
  );
}

/** Hour counters of one object from `from` to `to` (hour keys, inclusive), summed as asked. */
export async function readReport(
  db: Db,
  dimension: ReportDimension,
  id: string,
  from: string,
  to: string,
  granularity: Granularity,
): Promise<{ rows: ReportRow[]; totals: ReportRow }> {
  const hours = await queryAll<Record<string, unknown>>(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.reportPartition(dimension, id), ':from': from, ':to': to },
  });
  return buildReport(
    hours.map((h) => ({ ...h, hour: h.sk as string })),
    granularity,
  );
}

/**
 * Who may read a report: an advertiser its own campaigns, a publisher its own ad units and
 * accounts, the operator anything. Anything else answers 404, like a missing object.
 */
export async function assertReportAccess(db: Db, who: { role: string; tenantId: string }, dimension: ReportDimension, id: string): Promise<void> {
  if (who.role === 'admin') return;
  const owner = await ownerOf(db, dimension, id);
  const allowed = dimension === 'campaign' ? who.role === 'advertiser' : who.role === 'publisher';
  if (!allowed || owner !== who.tenantId) throw new NotFoundError(`${dimension} ${id} not found`);
}

async function ownerOf(db: Db, dimension: ReportDimension, id: string): Promise<string | undefined> {
  if (dimension === 'platform') return undefined;
  const key = dimension === 'campaign' ? keys.campaign(id) : dimension === 'adUnit' ? keys.adUnit(id) : keys.account(id);
  const item = await getItem<Record<string, unknown>>(db, key);
  const owner = dimension === 'campaign' ? item?.advertiserId : item?.ownerTenantId;
  return typeof owner === 'string' ? owner : undefined;
}
