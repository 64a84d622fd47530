import { buildReport, type CounterName, type Granularity, type ReportDimension, type ReportRow } from '../core/serving/reports.js';
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

/** The tenant that owns a report's object (a campaign's advertiser, an ad unit's or account's publisher); undefined for the platform or a missing object. */
export async function reportOwner(db: Db, dimension: ReportDimension, id: string): Promise<string | undefined> {
  if (dimension === 'platform') return undefined;
  const key = dimension === 'campaign' ? keys.campaign(id) : dimension === 'adUnit' ? keys.adUnit(id) : keys.account(id);
  const item = await getItem<Record<string, unknown>>(db, key);
  const owner = dimension === 'campaign' ? item?.advertiserId : item?.ownerTenantId;
  return typeof owner === 'string' ? owner : undefined;
}
