import { describe, expect, it } from 'vitest';
import { cptrMicros, formatPercent, matchShare, rankSlots, scoreSlot, targetedReach } from '../../../functions/core/marketplace/matching.js';
import { CNY, aSlot, anAccount, anAudience } from './fixtures.js';

// A: 10 000 reads; female 60%; CN-SH 20% + CN-BJ 10%.
const a = anAccount();
// B: 50 000 reads; female 30%; CN-SH 5% + CN-BJ 5%.
const b = anAccount({
  id: 'acct_b',
  audience: anAudience({ averageReads: 50_000, gender: { female: 0.3, male: 0.7 }, region: { 'CN-SH': 0.05, 'CN-BJ': 0.05 } }),
});
// C: no readers in the targeted regions.
const c = anAccount({ id: 'acct_c', audience: anAudience({ region: { 'CN-GD': 0.9 } }) });
const targeting = { gender: ['female'], regions: ['CN-SH', 'CN-BJ'] } as const;

describe('matchShare', () => {
  it('does multiply the summed shares of each targeted dimension', () => {
    // 0.6 × (0.2 + 0.1) = 0.18
    expect(matchShare(a.audience, { gender: ['female'], regions: ['CN-SH', 'CN-BJ'] }).share).toBeCloseTo(0.18, 12);
  });

  it('does count an untargeted or empty dimension as everyone', () => {
    expect(matchShare(a.audience, {}).share).toBe(1);
    expect(matchShare(a.audience, { gender: [], interests: ['technology'] }).share).toBeCloseTo(0.4, 12);
  });

  it('does count a value twice only once', () => {
    expect(matchShare(a.audience, { regions: ['CN-SH', 'CN-SH'] }).share).toBeCloseTo(0.2, 12);
  });

  it('does explain every dimension in one line', () => {
    const { explanations } = matchShare(a.audience, { gender: ['female'], regions: ['CN-SH', 'CN-BJ'], interests: ['gaming'] });
    expect(explanations.map((e) => e.text)).toEqual([
      'gender: female 60% of readers',
      'ageBand: not targeted (all readers)',
      'region: CN-SH+CN-BJ 30% of readers',
      'interests: gaming 0% of readers (not in the audience profile)',
    ]);
    expect(explanations[2]).toMatchObject({ dimension: 'region', targeted: true, values: ['CN-SH', 'CN-BJ'] });
  });
});

describe('targetedReach and cptrMicros', () => {
  it('does round reach down to whole reads, ignoring float noise', () => {
    expect(targetedReach(10_000, 0.18)).toBe(1_800);
    expect(targetedReach(100, 0.29)).toBe(29); // 100 × 0.29 = 28.999999999999996 in binary
    expect(targetedReach(999, 0.5)).toBe(499);
  });

  it('does round CPTR half up to the micro and give null for zero reach', () => {
    expect(cptrMicros(1_000, 3)).toBe(333_333); // 1 000 000 / 3 = 333 333.33…
    expect(cptrMicros(1_000, 6)).toBe(166_667); // 166 666.67 → up
    expect(cptrMicros(1, 2_000)).toBe(1); // exactly 0.5 → up
    expect(cptrMicros(5 * CNY, 0)).toBeNull();
  });

  it('does keep huge prices exact', () => {
    // 9e12 micros × 1000 passes 2^53; the BigInt path keeps it exact.
    expect(cptrMicros(9_000_000_000_001, 1_000)).toBe(9_000_000_000_001);
  });
});

describe('rankSlots', () => {
  it('does rank by cost per thousand targeted reads, cheapest first', () => {
    const candidates = [
      // A: share 0.6 × 0.3 = 0.18 → reach 10 000 × 0.18 = 1 800; 900 CNY × 1000 / 1 800 = 500 CNY.
      { slot: aSlot({ id: 'slot_a', priceMicros: 900 * CNY }), account: a },
      // B: share 0.3 × 0.1 = 0.03 → reach 50 000 × 0.03 = 1 500; 600 CNY × 1000 / 1 500 = 400 CNY.
      { slot: aSlot({ id: 'slot_b', accountId: 'acct_b', priceMicros: 600 * CNY }), account: b },
      // C: share 0.6 × 0 = 0 → no reach, left out.
      { slot: aSlot({ id: 'slot_c', accountId: 'acct_c', priceMicros: 1 * CNY }), account: c },
    ];
    const ranked = rankSlots(candidates, targeting, 10);
    expect(ranked.map((r) => [r.slot.id, r.targetedReach, r.cptrMicros])).toEqual([
      ['slot_b', 1_500, 400 * CNY],
      ['slot_a', 1_800, 500 * CNY],
    ]);
    expect(ranked[0]!.matchShare).toBeCloseTo(0.03, 12);
    expect(ranked[0]!.explanations[0]!.text).toBe('gender: female 30% of readers');
  });

  it('does break ties by reach, then date, then slot id', () => {
    const ranked = rankSlots(
      [
        // 450 CNY / 900 reads and 900 CNY / 1800 reads: both 500 CNY per thousand.
        { slot: aSlot({ id: 'slot_z', publishDate: '2025-03-05' }), account: a },
        { slot: aSlot({ id: 'slot_y', publishDate: '2025-03-04' }), account: a },
        { slot: aSlot({ id: 'slot_x', publishDate: '2025-03-04' }), account: a },
        { slot: aSlot({ id: 'slot_w', priceMicros: 450 * CNY }), account: anAccount({ audience: anAudience({ averageReads: 5_000 }) }) },
      ],
      targeting,
      10,
    );
    expect(ranked.map((r) => r.slot.id)).toEqual(['slot_x', 'slot_y', 'slot_z', 'slot_w']);
  });

  it('does keep at most limit results', () => {
    const slots = ['s1', 's2', 's3'].map((id) => ({ slot: aSlot({ id }), account: a }));
    expect(rankSlots(slots, targeting, 2)).toHaveLength(2);
  });

  it('does score a single slot with its explanation', () => {
    const score = scoreSlot({ slot: aSlot(), account: c }, targeting);
    expect(score).toMatchObject({ targetedReach: 0, cptrMicros: null, matchShare: 0 });
  });
});

describe('formatPercent', () => {
  it('does show one decimal at most and mark tiny non-zero shares', () => {
    expect(formatPercent(0.315)).toBe('31.5%');
    expect(formatPercent(0.62)).toBe('62%');
    expect(formatPercent(0.0001)).toBe('<0.1%');
    expect(formatPercent(0)).toBe('0%');
  });
});
