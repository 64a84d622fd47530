import { describe, expect, it } from 'vitest';
import { frequencyWindow, isOverCap, windowCount } from '../../../functions/core/serving/frequency.js';

describe('frequencyWindow', () => {
  it('reads the current hour and the ones before it, and increments the current one', () => {
    const now = new Date('2025-03-10T05:30:00Z');
    const hour = Math.floor(now.getTime() / 3_600_000);
    const w = frequencyWindow({ impressions: 3, perHours: 24 }, now);
    expect(w.readKeys).toHaveLength(24);
    expect(w.readKeys[23]).toBe(`fq${hour}`);
    expect(w.readKeys[0]).toBe(`fq${hour - 23}`);
    expect(w.incrementKey).toBe(`fq${hour}`);
  });

  it('keeps a bucket until the last window that reads it has passed', () => {
    const now = new Date('2025-03-10T05:30:00Z');
    const w = frequencyWindow({ impressions: 3, perHours: 2 }, now, { ttlSlackMs: 0 });
    // The 05:00 bucket is read until 06:59:59, by the window of the 06:00 bucket.
    expect(w.expiresAtEpochSeconds).toBe(Date.parse('2025-03-10T07:00:00Z') / 1000);
  });

  it('uses coarser buckets when told to', () => {
    const w = frequencyWindow({ impressions: 1, perHours: 24 }, new Date('2025-03-10T05:30:00Z'), { bucketMs: 6 * 3_600_000 });
    expect(w.readKeys).toHaveLength(4);
  });
});

describe('isOverCap', () => {
  it('caps at the configured number of impressions in the window', () => {
    const cap = { impressions: 3, perHours: 24 };
    expect(isOverCap(cap, windowCount([1, undefined, 1]))).toBe(false);
    expect(isOverCap(cap, windowCount([1, 1, 1]))).toBe(true);
    expect(isOverCap(cap, 7)).toBe(true);
  });

  it('lets an uncapped campaign serve', () => {
    expect(isOverCap(undefined, 1_000)).toBe(false);
    expect(isOverCap(null, 1_000)).toBe(false);
  });
});
