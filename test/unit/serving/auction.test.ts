import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargeFor, ecpmMicros, runAuction } from '../../../functions/core/serving/auction.js';
import type { AuctionCandidate, AuctionOptions } from '../../../functions/core/serving/auction.js';

/** The defaults of AUCTION_MIN_INCREMENT_MICROS and AUCTION_MIN_CHARGE_MICROS. */
const options: AuctionOptions = { minIncrementMicros: 1, minChargeMicros: 1 };

const cpm = (campaignId: string, bidMicros: number): AuctionCandidate => ({ campaignId, model: 'cpm', bidMicros, ctr: 0 });
const cpc = (campaignId: string, bidMicros: number, ctr: number): AuctionCandidate => ({ campaignId, model: 'cpc', bidMicros, ctr });

describe('ecpmMicros', () => {
  it('takes a CPM bid as is and turns a CPC bid into bid × CTR × 1000, rounded down', () => {
    expect(ecpmMicros(cpm('a', 5_000_000))).toBe(5_000_000);
    expect(ecpmMicros(cpc('b', 300_000, 0.02))).toBe(6_000_000);
    expect(ecpmMicros(cpc('c', 7, 0.0333))).toBe(233);
  });
});

describe('runAuction', () => {
  it('returns null when nobody bids or every bid is under the floor', () => {
    expect(runAuction([], 1000, options)).toBeNull();
    expect(runAuction([cpm('a', 999_999)], 1_000_000, options)).toBeNull();
  });

  it('charges a lone bidder the floor', () => {
    const r = runAuction([cpm('a', 8_000_000)], 2_000_000, options);
    expect(r).toMatchObject({ clearingCpmMicros: 2_000_000, chargeMicros: 2_000, chargeEvent: 'impression' });
    expect(r?.winner.campaignId).toBe('a');
  });

  it('charges the runner-up eCPM plus one micro', () => {
    const r = runAuction([cpm('a', 8_000_000), cpm('b', 5_000_000), cpm('c', 1_000_000)], 500_000, options);
    expect(r?.winner.campaignId).toBe('a');
    expect(r?.clearingCpmMicros).toBe(5_000_001);
    // 5 000.001 micros per impression, rounded up.
    expect(r?.chargeMicros).toBe(5_001);
  });

  it('ignores bids under the floor when finding the runner-up', () => {
    const r = runAuction([cpm('a', 8_000_000), cpm('b', 1_000_000)], 3_000_000, options);
    expect(r?.clearingCpmMicros).toBe(3_000_000);
  });

  it('breaks ties by the smallest campaign id and charges the tied price', () => {
    const r = runAuction([cpm('b', 4_000_000), cpm('a', 4_000_000), cpm('c', 1_000_000)], 0, options);
    expect(r?.winner.campaignId).toBe('a');
    expect(r?.clearingCpmMicros).toBe(4_000_000);
    expect(r?.chargeMicros).toBe(4_000);
  });

  it('breaks ties with the injected random source when given', () => {
    const bids = [cpm('a', 4_000_000), cpm('b', 4_000_000)];
    expect(runAuction(bids, 0, { ...options, random: () => 0 })?.winner.campaignId).toBe('b');
    expect(runAuction(bids, 0, { ...options, random: () => 0.99 })?.winner.campaignId).toBe('a');
  });

  it('ranks CPC against CPM by eCPM and bills a CPC winner per click', () => {
    // CPC: 500 000 × 0.02 × 1000 = 10 000 000 eCPM beats the 6 000 000 CPM bid.
    const r = runAuction([cpc('click', 500_000, 0.02), cpm('show', 6_000_000)], 1_000_000, options);
    expect(r?.winner.campaignId).toBe('click');
    expect(r?.clearingCpmMicros).toBe(6_000_001);
    expect(r?.chargeEvent).toBe('click');
    // 6 000 001 / (0.02 × 1000) = 300 000.05 → 300 001 per click, under the 500 000 bid.
    expect(r?.chargeMicros).toBe(300_001);
  });

  it('bills a CPM winner per impression when a CPC bid is the runner-up', () => {
    const r = runAuction([cpc('click', 100_000, 0.01), cpm('show', 6_000_000)], 0, options);
    expect(r?.winner.campaignId).toBe('show');
    expect(r?.clearingCpmMicros).toBe(1_000_001);
    expect(r).toMatchObject({ chargeEvent: 'impression', chargeMicros: 1_001 });
  });

  it('drops a CPC bid with no predicted clicks', () => {
    expect(runAuction([cpc('a', 1_000_000, 0)], 0, options)).toBeNull();
  });

  it('never charges above the bid nor clears below the floor', () => {
    const candidate = fc.oneof(
      fc.record({
        campaignId: fc.string({ maxLength: 3 }),
        model: fc.constant('cpm' as const),
        bidMicros: fc.integer({ min: 1, max: 50_000_000 }),
        ctr: fc.constant(0),
      }),
      fc.record({
        campaignId: fc.string({ maxLength: 3 }),
        model: fc.constant('cpc' as const),
        bidMicros: fc.integer({ min: 1, max: 5_000_000 }),
        ctr: fc.double({ min: 0.0001, max: 0.5, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 8 }), fc.integer({ min: 0, max: 20_000_000 }), (candidates, floor) => {
        const r = runAuction(candidates, floor, options);
        if (r === null) {
          for (const c of candidates) expect(ecpmMicros(c) < floor || ecpmMicros(c) === 0 || (c.model === 'cpm' && c.bidMicros < 1000)).toBe(true);
          return;
        }
        expect(r.clearingCpmMicros).toBeGreaterThanOrEqual(floor);
        expect(r.clearingCpmMicros).toBeLessThanOrEqual(r.ecpmMicros);
        for (const c of candidates) expect(ecpmMicros(c) <= r.ecpmMicros || ecpmMicros(c) < floor).toBe(true);
        expect(Number.isSafeInteger(r.chargeMicros)).toBe(true);
        expect(r.chargeMicros).toBeGreaterThanOrEqual(1);
        if (r.winner.model === 'cpm') {
          expect(r.chargeMicros * 1000).toBeLessThanOrEqual(r.winner.bidMicros);
        } else {
          expect(r.chargeMicros).toBeLessThanOrEqual(r.winner.bidMicros);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('chargeFor', () => {
  it('rounds a CPM charge up to the micro but never above bid / 1000', () => {
    expect(chargeFor(cpm('a', 10_000_000), 2_000_001, options)).toEqual({ chargeMicros: 2_001, chargeEvent: 'impression' });
    // Clearing equals the bid and the bid is not a whole number of micros per impression.
    expect(chargeFor(cpm('a', 2_500), 2_500, options)).toEqual({ chargeMicros: 2, chargeEvent: 'impression' });
  });

  it('keeps a CPC charge between 1 micro and the bid', () => {
    expect(chargeFor(cpc('a', 50, 0.5), 1, options).chargeMicros).toBe(1);
    expect(chargeFor(cpc('a', 50, 0.5), 25_000, options).chargeMicros).toBe(50);
    // Exact quotients stay exact despite floating point: 50 000 / (0.05 × 1000) = 1000.
    expect(chargeFor(cpc('a', 5_000, 0.05), 50_000, options).chargeMicros).toBe(1_000);
  });
});
