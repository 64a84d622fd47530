import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runAuction } from '../../../functions/core/serving/auction.js';
import { buildIndex } from '../../../functions/core/serving/be-index.js';
import { CTR_OPTIONS, estimateCtr } from '../../../functions/core/serving/ctr.js';
import { decide } from '../../../functions/core/serving/decide.js';
import type { AdUnitContext, CampaignRuntime, DecideInput, DecideOptions } from '../../../functions/core/serving/decide.js';
import { isOverCap } from '../../../functions/core/serving/frequency.js';
import { allowedSpendMicros, dayPosition, inSchedule } from '../../../functions/core/serving/pacing.js';
import { Ranking } from '../../../functions/core/serving/ranking.js';
import { evaluate } from '../../../functions/core/serving/targeting.js';
import type { Targeting } from '../../../functions/core/serving/targeting.js';

const now = new Date('2025-03-10T04:00:00Z'); // Monday 12:00 in Shanghai

type Fixture = CampaignRuntime<string> & { targeting?: Targeting };

function aCampaign(overrides: Partial<Fixture> & { id: string }): Fixture {
  return {
    model: 'cpm',
    bidMicros: 10_000_000,
    category: 'retail',
    schedule: { start: '2025-03-01T00:00:00Z', timezone: 'Asia/Shanghai' },
    dailyBudgetMicros: null,
    spentTodayMicros: 0,
    remainingMicros: 1_000_000_000,
    ctrStats: { impressions: 0, clicks: 0 },
    creative: `creative of ${overrides.id}`,
    ...overrides,
  };
}

/** The configuration's defaults (AUCTION_*, PACING_LOOK_AHEAD_SECONDS). */
const options: DecideOptions = {
  auction: { minIncrementMicros: 1, minChargeMicros: 1 },
  pacing: { lookAheadMs: 120_000 },
  ctr: CTR_OPTIONS,
  maxAuctionRounds: 8,
};

const unit: AdUnitContext = { id: 'unit_1', accountId: 'acct_1', accountCategory: 'tech', floorCpmMicros: 1_000_000, blockedCategories: ['gambling'] };
const women: Targeting = [[{ attribute: 'gender', op: 'in', values: ['f'] }]];

/** A ranking over the index of `campaigns`, of which the runtime state knows only `known`. */
function ranked(campaigns: Fixture[], known: Fixture[] = campaigns): Ranking<string> {
  const index = buildIndex(campaigns.map((c) => ({ id: c.id, targeting: c.targeting ?? women })));
  return new Ranking(index, new Map(known.map((c) => [c.id, c])), options);
}

function input(campaigns: Fixture[], overrides: Partial<DecideInput<string>> = {}): DecideInput<string> {
  return {
    ranking: ranked(campaigns),
    adUnit: unit,
    viewer: { gender: ['f'], region: ['CN-SH'] },
    frequencyCounts: new Map(),
    now,
    ...overrides,
  };
}

describe('decide', () => {
  it('picks the highest eCPM among matching campaigns and charges the second price', () => {
    const d = decide(
      input([
        aCampaign({ id: 'a', bidMicros: 8_000_000 }),
        aCampaign({ id: 'b', bidMicros: 5_000_000 }),
        aCampaign({ id: 'men', bidMicros: 50_000_000, targeting: [[{ attribute: 'gender', op: 'in', values: ['m'] }]] }),
      ]),
      options,
    );
    expect(d.ad).toMatchObject({ campaignId: 'a', creative: 'creative of a', clearingCpmMicros: 5_000_001, chargeMicros: 5_001, chargeEvent: 'impression' });
    expect(d.matched).toBe(2);
  });

  it('matches on the page: ad unit, account and account category', () => {
    const onUnit: Targeting = [
      [
        { attribute: 'adUnitId', op: 'in', values: ['unit_1'] },
        { attribute: 'accountCategory', op: 'not_in', values: ['news'] },
      ],
    ];
    const d = decide(input([aCampaign({ id: 'page', targeting: onUnit })], { viewer: {} }), options);
    expect(d.ad?.campaignId).toBe('page');
  });

  it('never picks an excluded campaign (one already on the page): the next best wins at its own second price', () => {
    const campaigns = [
      aCampaign({ id: 'a', bidMicros: 8_000_000 }),
      aCampaign({ id: 'b', bidMicros: 5_000_000 }),
      aCampaign({ id: 'c', bidMicros: 3_000_000 }),
    ];
    const d = decide(input(campaigns, { exclude: new Set(['a']) }), options);
    expect(d.ad).toMatchObject({ campaignId: 'b', clearingCpmMicros: 3_000_001 });
    expect(decide(input(campaigns, { exclude: new Set(['a', 'b', 'c']) }), options)).toMatchObject({ ad: null, reason: 'no_match' });
  });

  it('says no_match when no targeting fits', () => {
    expect(decide(input([aCampaign({ id: 'a' })], { viewer: { gender: ['m'] } }), options)).toMatchObject({ ad: null, reason: 'no_match' });
  });

  it('drops campaigns in a category the unit blocks', () => {
    expect(decide(input([aCampaign({ id: 'a', category: 'gambling' })]), options)).toMatchObject({
      ad: null,
      reason: 'blocked_category',
      dropped: { blocked_category: 1 },
    });
  });

  it('drops campaigns out of schedule or daypart', () => {
    const later = aCampaign({ id: 'later', schedule: { start: '2025-04-01T00:00:00Z', timezone: 'Asia/Shanghai' } });
    const nights = aCampaign({
      id: 'nights',
      schedule: { start: '2025-03-01T00:00:00Z', timezone: 'Asia/Shanghai', dayparts: [{ days: [1], startHour: 20, endHour: 23 }] },
    });
    expect(decide(input([later, nights]), options)).toMatchObject({ ad: null, reason: 'out_of_schedule', dropped: { out_of_schedule: 2 } });
  });

  it('drops campaigns over their frequency cap', () => {
    const capped = aCampaign({ id: 'a', frequencyCap: { impressions: 2, perHours: 24 } });
    expect(decide(input([capped], { frequencyCounts: new Map([['a', 2]]) }), options)).toMatchObject({ ad: null, reason: 'frequency_cap' });
    expect(decide(input([capped], { frequencyCounts: new Map([['a', 1]]) }), options).ad?.campaignId).toBe('a');
  });

  it('throttles a campaign ahead of its even daily spend', () => {
    // At noon, half of the daily budget (plus a two-minute look-ahead) may be spent.
    const ahead = aCampaign({ id: 'a', dailyBudgetMicros: 10_000_000, spentTodayMicros: 5_100_000 });
    expect(decide(input([ahead]), options)).toMatchObject({ ad: null, reason: 'paced' });
    const behind = aCampaign({ id: 'a', dailyBudgetMicros: 10_000_000, spentTodayMicros: 4_000_000 });
    expect(decide(input([behind]), options).ad?.campaignId).toBe('a');
  });

  it('drops campaigns under the floor', () => {
    expect(decide(input([aCampaign({ id: 'a', bidMicros: 999_999 })]), options)).toMatchObject({ ad: null, reason: 'below_floor' });
  });

  it('passes over a winner that cannot afford its charge and runs the auction again', () => {
    const poor = aCampaign({ id: 'poor', bidMicros: 9_000_000, remainingMicros: 3_000 });
    const rich = aCampaign({ id: 'rich', bidMicros: 4_000_000 });
    const d = decide(input([poor, rich]), options);
    // poor would pay ceil(4 000 001 / 1000) = 4 001 > 3 000 remaining; rich then wins alone at the floor.
    expect(d.ad).toMatchObject({ campaignId: 'rich', clearingCpmMicros: 1_000_000, chargeMicros: 1_000 });
    expect(d.dropped.budget).toBe(1);
    // Alone it would pay the floor, 1 000 per impression, which it can afford; with 999 it cannot.
    expect(decide(input([poor]), options).ad?.chargeMicros).toBe(1_000);
    expect(decide(input([{ ...poor, remainingMicros: 999 }]), options)).toMatchObject({ ad: null, reason: 'budget' });
  });

  it('drops campaigns with no budget left', () => {
    expect(decide(input([aCampaign({ id: 'a', remainingMicros: 0 })]), options)).toMatchObject({ ad: null, reason: 'budget' });
    expect(decide(input([aCampaign({ id: 'a', dailyBudgetMicros: 1_000, spentTodayMicros: 1_000 })]), options)).toMatchObject({ ad: null, reason: 'budget' });
  });

  it('ranks CPC campaigns by their smoothed CTR', () => {
    // CTR (20 + 1) / (1000 + 100) ≈ 0.0191 → eCPM ≈ 9 545 454 beats the 9 000 000 CPM bid.
    const clicky = aCampaign({ id: 'clicky', model: 'cpc', bidMicros: 500_000, ctrStats: { impressions: 1_000, clicks: 20 } });
    const d = decide(input([clicky, aCampaign({ id: 'cpm', bidMicros: 9_000_000 })]), options);
    expect(d.ad).toMatchObject({ campaignId: 'clicky', chargeEvent: 'click', clearingCpmMicros: 9_000_001 });
    expect(d.ad?.chargeMicros).toBeLessThanOrEqual(500_000);
    expect(d.ad?.chargeMicros).toBe(Math.ceil(9_000_001 / ((21 / 1100) * 1000)));
  });

  it('serves a campaign again once its budget comes back, and not once it is gone again', () => {
    const a = aCampaign({ id: 'a', bidMicros: 8_000_000, remainingMicros: 0 });
    const i = input([a, aCampaign({ id: 'b', bidMicros: 5_000_000 })]);
    expect(decide(i, options).ad).toMatchObject({ campaignId: 'b' });
    Ranking.setBudget(a, { remainingMicros: 1_000_000_000, spentTodayMicros: 0 }, i.ranking);
    expect(decide(i, options).ad).toMatchObject({ campaignId: 'a', clearingCpmMicros: 5_000_001 });
    Ranking.setBudget(a, { remainingMicros: 0, spentTodayMicros: 0 }, i.ranking);
    expect(decide(i, options).ad).toMatchObject({ campaignId: 'b' });
  });

  it('ignores matches the runtime state no longer knows', () => {
    const i = input([aCampaign({ id: 'a' })], { ranking: ranked([aCampaign({ id: 'a' })], []) });
    expect(decide(i, options)).toMatchObject({ ad: null, reason: 'no_match', matched: 0 });
  });
});

/** The filters in order; a candidate's stage is the first it fails. */
const STAGES = ['blocked_category', 'out_of_schedule', 'budget', 'frequency_cap', 'paced'] as const;

/**
 * The reference: every campaign whose targeting holds (brute force, no index) goes through every
 * filter, then the auction runs over all that pass, again and again while its winner cannot pay
 * (at most maxAuctionRounds times). No ad: the furthest stage any candidate reached.
 */
function reference(campaigns: Fixture[], i: DecideInput<string>, o: DecideOptions) {
  const nowMs = i.now as number;
  const ctx = { ...i.viewer, adUnitId: [i.adUnit.id], accountId: [i.adUnit.accountId], accountCategory: [i.adUnit.accountCategory] };
  const stageOf = (c: Fixture): number => {
    if (i.adUnit.blockedCategories.includes(c.category)) return 0;
    if (!inSchedule(c.schedule, nowMs)) return 1;
    const daily = c.dailyBudgetMicros;
    if (c.remainingMicros < o.auction.minChargeMicros || (daily !== null && daily - c.spentTodayMicros < o.auction.minChargeMicros)) return 2;
    if (isOverCap(c.frequencyCap, i.frequencyCounts.get(c.id) ?? 0)) return 3;
    if (daily !== null) {
      const allowed = allowedSpendMicros(
        { dailyBudgetMicros: daily, spentTodayMicros: c.spentTodayMicros, day: dayPosition(nowMs, c.schedule.timezone) },
        o.pacing,
      );
      if (c.spentTodayMicros >= allowed) return 4;
    }
    return 5;
  };
  const matches = campaigns.filter((c) => !i.exclude?.has(c.id) && evaluate(c.targeting ?? women, ctx));
  if (matches.length === 0) return { ad: null, reason: 'no_match' };
  let pool = matches.filter((c) => stageOf(c) === 5);
  if (pool.length === 0) return { ad: null, reason: STAGES[Math.max(...matches.map(stageOf))] };
  const bidders = pool.map((c) => ({
    campaignId: c.id,
    model: c.model,
    bidMicros: c.bidMicros,
    ctr: c.model === 'cpc' ? estimateCtr(c.ctrStats, o.ctr) : 0,
    c,
  }));
  let left = bidders;
  for (let round = 0; round < o.maxAuctionRounds; round++) {
    const r = runAuction(left, i.adUnit.floorCpmMicros, o.auction);
    if (r === null) return { ad: null, reason: left.length > 0 ? 'below_floor' : 'budget' };
    const c = r.winner.c;
    const dailyLeft = c.dailyBudgetMicros === null ? Infinity : c.dailyBudgetMicros - c.spentTodayMicros;
    if (c.remainingMicros >= r.chargeMicros && dailyLeft >= r.chargeMicros) {
      return {
        ad: { campaignId: c.id, ecpmMicros: r.ecpmMicros, clearingCpmMicros: r.clearingCpmMicros, chargeMicros: r.chargeMicros, chargeEvent: r.chargeEvent },
      };
    }
    left = left.filter((b) => b !== r.winner);
    pool = pool.filter((p) => p !== c);
  }
  return { ad: null, reason: 'budget' };
}

describe('decide against the brute-force auction', () => {
  const nowMs = now.getTime();
  const campaign = fc.record({
    model: fc.constantFrom('cpm' as const, 'cpc' as const),
    // Few distinct bids: ties, and their order by id, happen often.
    bidMicros: fc.constantFrom(0, 500, 999, 1_000, 1_500, 2_000_000, 3_000_000, 3_000_001, 9_000_000),
    category: fc.constantFrom('retail', 'retail', 'gambling'),
    startOffsetHours: fc.constantFrom(-48, -48, -48, 1),
    endOffsetHours: fc.constantFrom(null, null, 48, -1),
    dayparts: fc.constantFrom(null, null, [{ days: [1], startHour: 10, endHour: 14 }], [{ days: [0, 6], startHour: 0, endHour: 24 }]),
    timezone: fc.constantFrom('Asia/Shanghai', 'America/New_York'),
    dailyBudgetMicros: fc.constantFrom(null, null, 10_000, 1_000_000),
    spentTodayMicros: fc.constantFrom(0, 0, 4_000, 600_000, 10_000),
    remainingMicros: fc.constantFrom(0, 1, 1_500, 3_001, 1_000_000_000, 1_000_000_000),
    impressions: fc.constantFrom(0, 1_000, 50_000),
    clicks: fc.constantFrom(0, 20, 900),
    cap: fc.constantFrom(null, null, { impressions: 2, perHours: 24 }),
    seen: fc.constantFrom(0, 1, 2),
    targeting: fc.constantFrom<Targeting>(
      [],
      women,
      [[{ attribute: 'region', op: 'in', values: ['CN-BJ'] }]],
      [[{ attribute: 'gender', op: 'not_in', values: ['f'] }]],
    ),
    excluded: fc.boolean(),
    // Ranked while its budget was whole, or spent; the budget it has now came later (Ranking.setBudget).
    rankedWith: fc.constantFrom(null, null, 1_000_000_000, 0),
  });
  const world = fc.record({
    campaigns: fc.array(campaign, { maxLength: 12 }),
    floorCpmMicros: fc.constantFrom(0, 1_000_000, 3_000_000),
    minChargeMicros: fc.constantFrom(1, 2),
    minIncrementMicros: fc.constantFrom(0, 1, 1_000),
    maxAuctionRounds: fc.constantFrom(1, 2, 8),
    blockedCategories: fc.constantFrom([], ['gambling']),
    atMs: fc.constantFrom(nowMs, nowMs + 9 * 3_600_000, nowMs + 5 * 86_400_000),
  });

  it('gives the same winner, price and no-ad reason as every match through every filter and the auction', () => {
    fc.assert(
      fc.property(world, (w) => {
        const campaigns: Fixture[] = w.campaigns.map((c, n) => ({
          id: `c${(n * 7) % 12}-${n}`,
          model: c.model,
          bidMicros: c.bidMicros,
          category: c.category,
          schedule: {
            start: new Date(nowMs + c.startOffsetHours * 3_600_000).toISOString(),
            end: c.endOffsetHours === null ? null : new Date(w.atMs + c.endOffsetHours * 3_600_000).toISOString(),
            dayparts: c.dayparts,
            timezone: c.timezone,
          },
          dailyBudgetMicros: c.dailyBudgetMicros,
          spentTodayMicros: c.spentTodayMicros,
          remainingMicros: c.remainingMicros,
          ctrStats: { impressions: c.impressions, clicks: c.clicks },
          frequencyCap: c.cap,
          creative: `creative ${n}`,
          targeting: c.targeting,
        }));
        const o: DecideOptions = {
          ...options,
          auction: { minChargeMicros: w.minChargeMicros, minIncrementMicros: w.minIncrementMicros },
          maxAuctionRounds: w.maxAuctionRounds,
        };
        const moved = campaigns.filter((_, n) => w.campaigns[n]!.rankedWith !== null);
        const budgets = moved.map((c) => ({ remainingMicros: c.remainingMicros, spentTodayMicros: c.spentTodayMicros }));
        for (const c of moved) Ranking.setBudget(c, { remainingMicros: w.campaigns[campaigns.indexOf(c)]!.rankedWith ?? 0, spentTodayMicros: 0 }, undefined);
        const ranking = new Ranking(
          buildIndex(campaigns.map((c) => ({ id: c.id, targeting: c.targeting ?? [] }))),
          new Map(campaigns.map((c) => [c.id, c])),
          o,
        );
        for (const [n, c] of moved.entries()) Ranking.setBudget(c, budgets[n]!, ranking);
        const i: DecideInput<string> = {
          ranking,
          adUnit: { ...unit, floorCpmMicros: w.floorCpmMicros, blockedCategories: w.blockedCategories },
          viewer: { gender: ['f'], region: ['CN-SH'] },
          frequencyCounts: new Map(campaigns.map((c, n) => [c.id, w.campaigns[n]!.seen])),
          now: w.atMs,
          exclude: new Set(campaigns.filter((_, n) => w.campaigns[n]!.excluded).map((c) => c.id)),
        };
        const want = reference(campaigns, i, o);
        const got = decide(i, o);
        if (got.ad === null) expect({ ad: null, reason: got.reason }).toEqual(want);
        else {
          const { campaignId, ecpmMicros, clearingCpmMicros, chargeMicros, chargeEvent } = got.ad;
          expect({ ad: { campaignId, ecpmMicros, clearingCpmMicros, chargeMicros, chargeEvent } }).toEqual(want);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
