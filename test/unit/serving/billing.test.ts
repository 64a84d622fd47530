import fc from 'fast-check';
import { POSTING_UNITS, postingChunks } from '../../../functions/store/leases.js';
import { describe, expect, it } from 'vitest';
import { addTo, chargeOf, emptyBatch, intervalStart, shardOf, sliceMicros } from '../../../functions/core/serving/billing.js';

describe('programmatic billing arithmetic', () => {
  it('splits each charge into owner and fee that add up to it, and sums batches exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10_000_000 }), { maxLength: 50 }), fc.integer({ min: 0, max: 10_000 }), (charges, bps) => {
        const batch = emptyBatch();
        for (const c of charges) addTo(batch, chargeOf(c, bps));
        expect(batch.events).toBe(charges.length);
        expect(batch.chargeMicros).toBe(charges.reduce((a, b) => a + b, 0));
        expect(batch.ownerMicros + batch.feeMicros).toBe(batch.chargeMicros);
      }),
    );
  });

  it('puts an instant in the interval that starts at or before it and ends after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 1, max: 3_600 }), (at, seconds) => {
        const start = intervalStart(at, seconds);
        expect(start).toBeLessThanOrEqual(at);
        expect(at).toBeLessThan(start + seconds * 1000);
        expect(start % (seconds * 1000)).toBe(0);
      }),
    );
  });

  it('sizes a lease by the recent rate, at least the minimum events and the charge, at most the maximum', () => {
    const base = { leaseSeconds: 60, minEvents: 10, maxMicros: 20_000_000 };
    expect(sliceMicros({ ...base, ratePerSecond: 0, chargeMicros: 1_000 })).toBe(10_000); // new campaign: 10 charges
    expect(sliceMicros({ ...base, ratePerSecond: 5_000, chargeMicros: 1_000 })).toBe(300_000); // 60 s at its rate
    expect(sliceMicros({ ...base, ratePerSecond: 1_000_000, chargeMicros: 1_000 })).toBe(20_000_000); // capped
    expect(sliceMicros({ ...base, maxMicros: 500, ratePerSecond: 0, chargeMicros: 1_000 })).toBe(1_000); // never below the charge
  });

  it('spreads keys over every shard, the same key always to the same one', () => {
    const hits = new Set(Array.from({ length: 1_000 }, (_, i) => shardOf(`CLEARING#unit_${i}`, 16)));
    expect(hits.size).toBe(16);
    expect(shardOf('a-key', 16)).toBe(shardOf('a-key', 16));
  });
});

describe('postingChunks', () => {
  it('splits a posting’s units into postings of at most POSTING_UNITS, keeping every unit once and in order', () => {
    const units = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(postingChunks(units(0))).toEqual([]);
    expect(postingChunks(units(POSTING_UNITS))).toEqual([units(POSTING_UNITS)]);
    const chunks = postingChunks(units(2 * POSTING_UNITS + 5));
    expect(chunks.map((c) => c.length)).toEqual([POSTING_UNITS, POSTING_UNITS, 5]);
    expect(chunks.flat()).toEqual(units(2 * POSTING_UNITS + 5));
  });
});
