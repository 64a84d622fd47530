import { describe, expect, it } from 'vitest';
import {
  counterAttribute,
  countersOf,
  frequencyCounts,
  frequencyWindow,
  isOverCap,
  staleCounters,
  viewerExpiry,
  windowCount,
} from '../../../functions/core/serving/frequency.js';

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

describe('the viewer’s frequency item', () => {
  const now = new Date('2025-03-10T05:30:00Z');
  const hour = Math.floor(now.getTime() / 3_600_000);

  it('reads one attribute per campaign and bucket, and counts only each cap’s window', () => {
    const item = {
      pk: 'FREQ#v',
      sk: 'FREQ',
      expiresAt: 1,
      entity: 'frequency',
      [counterAttribute('cmp_a', `fq${hour}`)]: 2,
      [counterAttribute('cmp_a', `fq${hour - 3}`)]: 5,
      [counterAttribute('cmp_b', `fq${hour}`)]: 1,
    };
    const counters = countersOf(item);
    expect(counters).toHaveLength(3);
    const caps = new Map([
      ['cmp_a', { impressions: 3, perHours: 2 }],
      ['cmp_b', { impressions: 3, perHours: 24 }],
    ]);
    expect(frequencyCounts(counters, (id) => caps.get(id), now)).toEqual(
      new Map([
        ['cmp_a', 2],
        ['cmp_b', 1],
      ]),
    );
  });

  it('names as stale the buckets past their window and the counters of campaigns that never serve again', () => {
    const names = [
      'pk',
      'expiresAt',
      counterAttribute('cmp_a', `fq${hour}`),
      counterAttribute('cmp_a', `fq${hour - 2}`),
      counterAttribute('cmp_ended', `fq${hour}`),
      counterAttribute('cmp_new', `fq${hour - 5}`),
      counterAttribute('cmp_new', `fq${hour - 30}`),
    ];
    const capOf = (id: string) => (id === 'cmp_a' ? { impressions: 1, perHours: 2 } : id === 'cmp_ended' ? null : undefined);
    // cmp_new is unknown here: its buckets are kept for the longest live window (24 h).
    expect(staleCounters(names, capOf, 24, now)).toEqual([
      counterAttribute('cmp_a', `fq${hour - 2}`),
      counterAttribute('cmp_ended', `fq${hour}`),
      counterAttribute('cmp_new', `fq${hour - 30}`),
    ]);
  });

  it('keeps the item until the longest live window that reads the current bucket has passed', () => {
    expect(viewerExpiry(24, now, { ttlSlackMs: 0 })).toBe(frequencyWindow({ impressions: 1, perHours: 24 }, now, { ttlSlackMs: 0 }).expiresAtEpochSeconds);
    expect(viewerExpiry(24, now)).toBeGreaterThan(viewerExpiry(2, now));
  });
});
