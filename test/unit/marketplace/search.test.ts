import { describe, expect, it } from 'vitest';
import { MATCH_LIMITS, MatchQuery, matchSlots as matchWith } from '../../../functions/core/marketplace/search.js';
import { generateMarketplace } from '../../../scripts/seed-data.js';
import { CNY, aSlot, anAccount, issuesOf } from './fixtures.js';

const a = anAccount();
const b = anAccount({ id: 'acct_b', category: 'finance', platform: 'newsletter' });
/** The limits, and the plan's bounds at the config's defaults. */
const matchSlots = (candidates: Parameters<typeof matchWith>[0], q: MatchQuery) =>
  matchWith(candidates, q, { ...MATCH_LIMITS, plan: { workLimit: 20_000_000, maxEpsilon: 0.05, maxWork: 60_000_000 } });
const query: MatchQuery = { targeting: { gender: ['female'] }, dateFrom: '2025-03-01', dateTo: '2025-03-31' };

describe('MatchQuery', () => {
  it('does accept a valid query and report each bad field', () => {
    expect(issuesOf(MatchQuery, query)).toEqual([]);
    const bad = { ...query, targeting: { regions: ['XX'] }, dateTo: '2025-02-01', limit: 0, budgetMicros: -5 };
    expect(issuesOf(MatchQuery, bad)).toEqual([
      { field: 'targeting.regions.0', message: 'unknown value "XX"' },
      { field: 'budgetMicros', message: 'Too small: expected number to be >=0' },
      { field: 'limit', message: 'must be an integer from 1 to 100' },
      { field: 'dateTo', message: 'must not be before dateFrom' },
    ]);
  });
});

describe('matchSlots', () => {
  it('does keep open slots in range of the wanted categories and platforms', () => {
    const candidates = [
      { slot: aSlot({ id: 's_open' }), account: a },
      { slot: aSlot({ id: 's_booked', status: 'booked' }), account: a },
      { slot: aSlot({ id: 's_late', publishDate: '2025-04-01' }), account: a },
      { slot: aSlot({ id: 's_fin', accountId: 'acct_b' }), account: b },
    ];
    expect(matchSlots(candidates, query).results.map((r) => r.slot.id)).toEqual(['s_fin', 's_open']); // equal scores: by slot id
    expect(matchSlots(candidates, { ...query, categories: ['finance'] }).results.map((r) => r.slot.id)).toEqual(['s_fin']);
    expect(matchSlots(candidates, { ...query, platforms: ['wechat'] }).results.map((r) => r.slot.id)).toEqual(['s_open']);
  });

  it('does plan within budget with at most one slot per account per day', () => {
    const candidates = [
      // Same account and day: 6 000 targeted reads for 900 CNY, or 3 000 for 300 CNY.
      { slot: aSlot({ id: 's_head', priceMicros: 900 * CNY }), account: a },
      { slot: aSlot({ id: 's_end', position: 'end_mention', priceMicros: 300 * CNY }), account: a },
      { slot: aSlot({ id: 's_next', publishDate: '2025-03-04', priceMicros: 700 * CNY }), account: a },
    ];
    // 1 000 CNY: {s_end, s_next} = 1 000 CNY for 12 000 reads beats {s_head} (6 000 reads).
    const result = matchSlots(candidates, { ...query, budgetMicros: 1_000 * CNY });
    expect(result.plan?.slots.map((r) => r.slot.id)).toEqual(['s_end', 's_next']);
    expect(result.plan?.totals).toEqual({ costMicros: 1_000 * CNY, targetedReach: 12_000, averageCptrMicros: 83_333_333 });
    expect(result.plan?.method).toBe('exact');
    expect(result.note).toMatch(/independent/);
  });

  it('does plan over a seeded marketplace without exceeding the budget', () => {
    const market = generateMarketplace({ accounts: 200, days: 30, startDate: '2025-03-01', seed: 3 });
    const accounts = new Map(market.accounts.map((x) => [x.id, x]));
    const candidates = market.slots.map((slot) => ({ slot, account: accounts.get(slot.accountId)! }));
    const budgetMicros = 200_000 * CNY;
    const result = matchSlots(candidates, { ...query, targeting: { gender: ['female'], ageBands: ['25-34'] }, budgetMicros, limit: 5 });
    expect(result.results).toHaveLength(5);
    const plan = result.plan!;
    expect(plan.totals.costMicros).toBeLessThanOrEqual(budgetMicros);
    const days = plan.slots.map((r) => `${r.account.id}|${r.slot.publishDate}`);
    expect(new Set(days).size).toBe(days.length);
    if (plan.method === 'approximate') expect(plan.bound!.ratio).toBeGreaterThanOrEqual(0.95);
  });
});
