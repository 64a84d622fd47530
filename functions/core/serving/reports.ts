import { getOrSet } from '../shared/maps.js';

/**
 * Delivery reports from counters: what is counted as events happen, and the figures derived
 * from the counts at read time (never by scanning events).
 *
 * Counters are kept per (dimension, id, UTC hour); a day is the sum of its 24 hours. Derived:
 * CTR = clicks / impressions; eCPM = spend / impressions × 1000; eCPC = spend / clicks, in
 * micros, rounded to the nearest micro; 0 where the denominator is 0.
 */

/** `platform` (id `all`, operators only): invalid events that name no campaign (forged, malformed tokens). */
export const REPORT_DIMENSIONS = ['campaign', 'adUnit', 'account', 'platform'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];
export type Granularity = 'hour' | 'day';

/**
 * Who may read a report: an advertiser its own campaigns, a publisher its own ad units and
 * accounts, the operator anything (`owner`: the tenant owning the object, if any).
 */
export function mayReadReport(who: { role: string; tenantId: string }, dimension: ReportDimension, owner: string | undefined): boolean {
  if (who.role === 'admin') return true;
  const allowed = dimension === 'campaign' ? who.role === 'advertiser' : who.role === 'publisher';
  return allowed && owner === who.tenantId;
}

export const COUNTERS = ['requests', 'fills', 'impressions', 'clicks', 'invalid', 'spendMicros'] as const;
export type CounterName = (typeof COUNTERS)[number];
export type Counts = Record<CounterName, number>;

export interface ReportRow extends Counts {
  /** `YYYY-MM-DDTHH` (UTC) for hours, `YYYY-MM-DD` for days. */
  period: string;
  /** Invalid events by reason (replay, forged, expired, over_limit, cap, …), counted as `invalid:<reason>`. */
  invalidByReason: Record<string, number>;
  ctr: number;
  ecpmMicros: number;
  ecpcMicros: number;
}

const MILLE = 1000;

/** The UTC hour an instant falls in, as counters are keyed: `2025-03-10T05`. */
export function hourKey(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 13);
}

export const emptyCounts = (): Counts => ({ requests: 0, fills: 0, impressions: 0, clicks: 0, invalid: 0, spendMicros: 0 });

const REASON_PREFIX = 'invalid:';

export function withRates(period: string, c: Counts, invalidByReason: Record<string, number> = {}): ReportRow {
  return {
    period,
    ...c,
    invalidByReason,
    ctr: c.impressions > 0 ? c.clicks / c.impressions : 0,
    ecpmMicros: c.impressions > 0 ? Math.round((c.spendMicros / c.impressions) * MILLE) : 0,
    ecpcMicros: c.clicks > 0 ? Math.round(c.spendMicros / c.clicks) : 0,
  };
}

/** Rows from hour counters, summed per day when asked, in time order; plus the total over all. */
export function buildReport(
  hours: readonly ({ hour: string } & Partial<Counts> & Record<string, unknown>)[],
  granularity: Granularity,
): { rows: ReportRow[]; totals: ReportRow } {
  const periods = new Map<string, { c: Counts; reasons: Record<string, number> }>();
  const totals = { c: emptyCounts(), reasons: {} as Record<string, number> };
  for (const h of hours) {
    const period = granularity === 'day' ? h.hour.slice(0, 10) : h.hour;
    const sum = getOrSet(periods, period, () => ({ c: emptyCounts(), reasons: {} as Record<string, number> }));
    for (const target of [sum, totals]) {
      for (const name of COUNTERS) target.c[name] += h[name] ?? 0;
      for (const [name, n] of Object.entries(h)) {
        if (!name.startsWith(REASON_PREFIX) || typeof n !== 'number') continue;
        const reason = name.slice(REASON_PREFIX.length);
        target.reasons[reason] = (target.reasons[reason] ?? 0) + n;
      }
    }
  }
  const rows = [...periods].sort(([a], [b]) => (a < b ? -1 : 1)).map(([period, s]) => withRates(period, s.c, s.reasons));
  return { rows, totals: withRates('total', totals.c, totals.reasons) };
}

const CSV_COLUMNS = ['period', ...COUNTERS, 'ctr', 'ecpmMicros', 'ecpcMicros'] as const;

/** RFC 4180 CSV with a header row; every value is a number or a period, so nothing needs quoting. */
export function toCsv(rows: readonly ReportRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((col) => String(r[col])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
