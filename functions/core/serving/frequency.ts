import { MS_PER_HOUR, MS_PER_SECOND } from '../shared/time.js';
import { getOrSet } from '../shared/maps.js';

/**
 * Frequency caps: at most `impressions` of a campaign per viewer per `perHours` hours.
 *
 * The store counts impressions in fixed time buckets (hourly by default), because DynamoDB can
 * increment a counter atomically but cannot count a sliding window cheaply. The window is the
 * current bucket and the ones before it, `perHours` hours of buckets in all, so it is up to one
 * bucket longer than `perHours`: a cap can hold a little longer than asked, never shorter.
 *
 * All of a viewer's counters live in ONE item, one numeric attribute per (campaign, bucket) named
 * `<campaignId>#fq<bucket>` (see `counterAttribute`): a decision then reads one item by key
 * (GetItem, which concurrent decisions share as one BatchGetItem) instead of a Query, and an
 * impression ADDs one attribute. The item's TTL is the end of the longest window any live cap
 * could read (`viewerExpiry`); attributes no window reads any more (`staleCounters`) are removed
 * now and then so the item stays small.
 */

export interface FrequencyCap {
  impressions: number;
  perHours: number;
}

export const FREQUENCY_OPTIONS = {
  bucketMs: MS_PER_HOUR,
  /** Kept past the last window that reads a bucket: TTL deletion runs late, and clocks drift. */
  ttlSlackMs: MS_PER_HOUR,
};

export type FrequencyOptions = typeof FREQUENCY_OPTIONS;

export interface FrequencyWindow {
  /** Bucket keys to read and sum, oldest first; the store prefixes them with viewer and campaign. */
  readKeys: string[];
  /** The bucket to increment when an impression is served. */
  incrementKey: string;
  /** When the incremented bucket may be deleted: after the last window that reads it. */
  expiresAtEpochSeconds: number;
}

const BUCKET_PREFIX = 'fq';
/** Between the campaign id and the bucket in a counter's attribute name; campaign ids never hold it. */
const SEPARATOR = '#';

export function bucketKey(bucket: number): string {
  return `${BUCKET_PREFIX}${bucket}`;
}

/** A counter as read from the store: its bucket key (`fq<n>`), campaign and count. */
export interface FrequencyCounter {
  bucket: string;
  campaignId: string;
  count: number;
}

/** The attribute of the viewer's item that counts one campaign's impressions in one bucket. */
export function counterAttribute(campaignId: string, bucket: string): string {
  return `${campaignId}${SEPARATOR}${bucket}`;
}

function parseCounterAttribute(name: string): { campaignId: string; bucket: string } | undefined {
  const at = name.lastIndexOf(SEPARATOR + BUCKET_PREFIX);
  if (at <= 0) return undefined;
  const bucket = name.slice(at + 1);
  return /^fq\d+$/.test(bucket) ? { campaignId: name.slice(0, at), bucket } : undefined;
}

/** The counters held in a viewer's item; its other attributes (keys, TTL) are skipped. */
export function countersOf(item: Readonly<Record<string, unknown>> | undefined): FrequencyCounter[] {
  const counters: FrequencyCounter[] = [];
  for (const [name, value] of Object.entries(item ?? {})) {
    const parsed = parseCounterAttribute(name);
    if (parsed !== undefined && typeof value === 'number') counters.push({ ...parsed, count: value });
  }
  return counters;
}

export function frequencyWindow(cap: FrequencyCap, now: Date | number, options: Partial<FrequencyOptions> = {}): FrequencyWindow {
  const { bucketMs, ttlSlackMs } = { ...FREQUENCY_OPTIONS, ...options };
  const epochMs = typeof now === 'number' ? now : now.getTime();
  const current = Math.floor(epochMs / bucketMs);
  const buckets = Math.max(1, Math.ceil((cap.perHours * MS_PER_HOUR) / bucketMs));
  const readKeys: string[] = [];
  for (let b = current - buckets + 1; b <= current; b++) readKeys.push(bucketKey(b));
  const lastReadMs = (current + buckets) * bucketMs;
  return { readKeys, incrementKey: bucketKey(current), expiresAtEpochSeconds: Math.ceil((lastReadMs + ttlSlackMs) / MS_PER_SECOND) };
}

/** Impressions per capped campaign within its own window. */
export function frequencyCounts(
  counters: readonly FrequencyCounter[],
  capOf: (campaignId: string) => FrequencyCap | null | undefined,
  now: Date | number,
  options: Partial<FrequencyOptions> = {},
): Map<string, number> {
  const counts = new Map<string, number>();
  const windows = new Map<string, Set<string>>();
  for (const c of counters) {
    const cap = capOf(c.campaignId);
    if (cap == null) continue;
    const keys = getOrSet(windows, c.campaignId, () => new Set(frequencyWindow(cap, now, options).readKeys));
    if (keys.has(c.bucket)) counts.set(c.campaignId, (counts.get(c.campaignId) ?? 0) + c.count);
  }
  return counts;
}

/**
 * The counter attributes no window will read again: buckets older than their campaign's window,
 * and every counter of a campaign that will never serve again (`capOf` → null). A campaign the
 * caller does not know, or knows without a cap (`capOf` → undefined: it may be newer than the
 * caller's view, or be given a cap), keeps its buckets for the longest window, `longestPerHours`.
 * Removing these loses nothing a cap reads, unless a cap is later widened beyond that.
 */
export function staleCounters(
  attributeNames: Iterable<string>,
  capOf: (campaignId: string) => FrequencyCap | null | undefined,
  longestPerHours: number,
  now: Date | number,
  options: Partial<FrequencyOptions> = {},
): string[] {
  const oldestRead = (perHours: number) => bucketNumber(frequencyWindow({ impressions: 1, perHours: Math.max(1, perHours) }, now, options).readKeys[0]!);
  const oldest = new Map<string, number | null>();
  const stale: string[] = [];
  for (const name of attributeNames) {
    const parsed = parseCounterAttribute(name);
    if (parsed === undefined) continue;
    const from = getOrSet(oldest, parsed.campaignId, () => {
      const cap = capOf(parsed.campaignId);
      return cap === null ? null : oldestRead(cap?.perHours ?? longestPerHours);
    });
    if (from === null || bucketNumber(parsed.bucket) < from) stale.push(name);
  }
  return stale;
}

function bucketNumber(bucket: string): number {
  return Number(bucket.slice(BUCKET_PREFIX.length));
}

/**
 * When a viewer's item may be deleted, written at each impression: after the last window that
 * reads the current bucket, for the longest cap (`maxPerHours`) of any campaign that may still
 * serve. Every later impression pushes it further, so it never cuts a window any live cap reads.
 */
export function viewerExpiry(maxPerHours: number, now: Date | number, options: Partial<FrequencyOptions> = {}): number {
  return frequencyWindow({ impressions: 1, perHours: Math.max(1, maxPerHours) }, now, options).expiresAtEpochSeconds;
}

/** Sums the bucket counts the store read (a missing bucket counts 0). */
export function windowCount(counts: readonly (number | undefined)[]): number {
  let n = 0;
  for (const c of counts) n += c ?? 0;
  return n;
}

/** Whether one more impression would break the cap. No cap, no limit. */
export function isOverCap(cap: FrequencyCap | null | undefined, impressionsInWindow: number): boolean {
  if (cap == null) return false;
  return impressionsInWindow >= cap.impressions;
}
