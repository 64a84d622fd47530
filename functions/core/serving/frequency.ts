/**
 * Frequency caps: at most `impressions` of a campaign per viewer per `perHours` hours.
 *
 * The store counts impressions in fixed time buckets (hourly by default), one counter item per
 * (viewer, campaign, bucket) with a TTL, because DynamoDB can increment a counter atomically but
 * cannot count the items of a sliding window cheaply. The window is the current bucket and the
 * ones before it, `perHours` hours of buckets in all, so it is up to one bucket longer than
 * `perHours`: a cap can hold a little longer than asked, never shorter.
 */

export interface FrequencyCap {
  impressions: number;
  perHours: number;
}

const MS_PER_HOUR = 60 * 60 * 1000;
const MS_PER_SECOND = 1000;

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

export function bucketKey(bucket: number): string {
  return `fq${bucket}`;
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
