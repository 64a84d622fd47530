import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../../functions/core/serving/be-index.js';
import { decide } from '../../../functions/core/serving/decide.js';
import type { AdUnitContext, CampaignRuntime, DecideInput } from '../../../functions/core/serving/decide.js';
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

const unit: AdUnitContext = { id: 'unit_1', accountId: 'acct_1', accountCategory: 'tech', floorCpmMicros: 1_000_000, blockedCategories: ['gambling'] };
const women: Targeting = [[{ attribute: 'gender', op: 'in', values: ['f'] }]];

function input(campaigns: Fixture[], overrides: Partial<DecideInput<string>> = {}): DecideInput<string> {
  return {
    index: buildIndex(campaigns.map((c) => ({ id: c.id, targeting: c.targeting ?? women }))),
    campaigns: new Map(campaigns.map((c) => [c.id, c])),
    adUnit: unit,
    viewer: { gender: ['f'], region: ['CN-SH'] },
    frequencyCounts: new Map(),
    now,
    random: () => 0.5,
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
    const d = decide(input([aCampaign({ id: 'page', targeting: onUnit })], { viewer: {} }));
    expect(d.ad?.campaignId).toBe('page');
  });

  it('never picks an excluded campaign (one already on the page): the next best wins at its own second price', () => {
    const campaigns = [
      aCampaign({ id: 'a', bidMicros: 8_000_000 }),
      aCampaign({ id: 'b', bidMicros: 5_000_000 }),
      aCampaign({ id: 'c', bidMicros: 3_000_000 }),
    ];
    const d = decide(input(campaigns, { exclude: new Set(['a']) }));
    expect(d.ad).toMatchObject({ campaignId: 'b', clearingCpmMicros: 3_000_001 });
    expect(decide(input(campaigns, { exclude: new Set(['a', 'b', 'c']) }))).toMatchObject({ ad: null, reason: 'no_match' });
  });

  it('says no_match when no targeting fits', () => {
    expect(decide(input([aCampaign({ id: 'a' })], { viewer: { gender: ['m'] } }))).toMatchObject({ ad: null, reason: 'no_match' });
  });

  it('drops campaigns in a category the unit blocks', () => {
    expect(decide(input([aCampaign({ id: 'a', category: 'gambling' })]))).toMatchObject({
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
    expect(decide(input([later, nights]))).toMatchObject({ ad: null, reason: 'out_of_schedule', dropped: { out_of_schedule: 2 } });
  });

  it('drops campaigns over their frequency cap', () => {
    const capped = aCampaign({ id: 'a', frequencyCap: { impressions: 2, perHours: 24 } });
    expect(decide(input([capped], { frequencyCounts: new Map([['a', 2]]) }))).toMatchObject({ ad: null, reason: 'frequency_cap' });
    expect(decide(input([capped], { frequencyCounts: new Map([['a', 1]]) })).ad?.campaignId).toBe('a');
  });

  it('throttles a campaign ahead of its even daily spend', () => {
    // At noon, half of the daily budget (plus a two-minute look-ahead) may be spent.
    const ahead = aCampaign({ id: 'a', dailyBudgetMicros: 10_000_000, spentTodayMicros: 5_100_000 });
    expect(decide(input([ahead]))).toMatchObject({ ad: null, reason: 'paced' });
    const behind = aCampaign({ id: 'a', dailyBudgetMicros: 10_000_000, spentTodayMicros: 4_000_000 });
    expect(decide(input([behind])).ad?.campaignId).toBe('a');
  });

  it('drops campaigns under the floor', () => {
    expect(decide(input([aCampaign({ id: 'a', bidMicros: 999_999 })]))).toMatchObject({ ad: null, reason: 'below_floor' });
  });

  it('passes over a winner that cannot afford its charge and runs the auction again', () => {
    const poor = aCampaign({ id: 'poor', bidMicros: 9_000_000, remainingMicros: 3_000 });
    const rich = aCampaign({ id: 'rich', bidMicros: 4_000_000 });
    const d = decide(input([poor, rich]));
    // poor would pay ceil(4 000 001 / 1000) = 4 001 > 3 000 remaining; rich then wins alone at the floor.
    expect(d.ad).toMatchObject({ campaignId: 'rich', clearingCpmMicros: 1_000_000, chargeMicros: 1_000 });
    expect(d.dropped.budget).toBe(1);
    // Alone it would pay the floor, 1 000 per impression, which it can afford; with 999 it cannot.
    expect(decide(input([poor])).ad?.chargeMicros).toBe(1_000);
    expect(decide(input([{ ...poor, remainingMicros: 999 }]))).toMatchObject({ ad: null, reason: 'budget' });
  });

  it('drops campaigns with no budget left', () => {
    expect(decide(input([aCampaign({ id: 'a', remainingMicros: 0 })]))).toMatchObject({ ad: null, reason: 'budget' });
    expect(decide(input([aCampaign({ id: 'a', dailyBudgetMicros: 1_000, spentTodayMicros: 1_000 })]))).toMatchObject({ ad: null, reason: 'budget' });
  });

  it('ranks CPC campaigns by their smoothed CTR', () => {
    // CTR (20 + 1) / (1000 + 100) ≈ 0.0191 → eCPM ≈ 9 545 454 beats the 9 000 000 CPM bid.
    const clicky = aCampaign({ id: 'clicky', model: 'cpc', bidMicros: 500_000, ctrStats: { impressions: 1_000, clicks: 20 } });
    const d = decide(input([clicky, aCampaign({ id: 'cpm', bidMicros: 9_000_000 })]));
    expect(d.ad).toMatchObject({ campaignId: 'clicky', chargeEvent: 'click', clearingCpmMicros: 9_000_001 });
    expect(d.ad?.chargeMicros).toBeLessThanOrEqual(500_000);
    expect(d.ad?.chargeMicros).toBe(Math.ceil(9_000_001 / ((21 / 1100) * 1000)));
  });

  it('ignores matches the runtime state no longer knows', () => {
    const i = input([aCampaign({ id: 'a' })]);
    expect(decide({ ...i, campaigns: new Map() })).toMatchObject({ ad: null, reason: 'no_match', matched: 0 });
  });
});
