import { generateMarketplace } from '../scripts/seed-data.js';
import { planOptions } from '../functions/app/marketplace/match-slots.js';
import { MATCH_LIMITS, matchSlots } from '../functions/core/marketplace/search.js';
import { parseConfig } from '../functions/config.js';
import type { Candidate } from '../functions/core/marketplace/matching.js';
import { call, type Schemas, signup } from '../test/support/http.js';
import { percentile } from './report.js';
import { startWorld } from './world.js';

/**
 * Input bounds (issue 9, item 10): what refusing an oversized slot rule and planning a year of the
 * seeded marketplace with budgets from small to unbounded cost. Before the bounds, the rule over
 * 1000-01-01…9999-12-31 (here from 2031-01-01, so the span is what is refused, not the past start) took 7–18 s to refuse and a year's plan 2.5–8.5 s.
 */

export interface RuleRefusal {
  requests: number;
  statuses: number[];
  p50Ms: number;
  maxMs: number;
  /** GET /v1/me, the same key lookup and nothing else: the yardstick on a noisy machine. */
  baselineP50Ms: number;
}

export async function benchRuleRefusal(requests: number): Promise<RuleRefusal> {
  const world = await startWorld();
  try {
    const publisher = await signup(world.api, 'publisher');
    const audience = { followers: 1000, averageReads: 100, gender: { female: 0.5 }, ageBand: {}, region: {}, interests: {} };
    const account = await call(world.api, 'POST', '/v1/accounts', {
      key: publisher.key,
      body: { platform: 'wechat', handle: 'bounds', name: 'Bounds', category: 'food', audience },
    });
    const rule: Schemas['SlotCreate'] = {
      from: '2031-01-01',
      to: '9999-12-31',
      weekdays: [1],
      position: 'headline',
      format: 'custom_article',
      priceMicros: 1_000_000,
    };
    const times: number[] = [];
    const baseline: number[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < requests; i++) {
      let started = performance.now();
      const res = await call(world.api, 'POST', `/v1/accounts/${account.body.id}/slots`, { key: publisher.key, body: rule });
      times.push(performance.now() - started);
      statuses.add(res.status);
      started = performance.now();
      await call(world.api, 'GET', '/v1/me', { key: publisher.key });
      baseline.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    baseline.sort((a, b) => a - b);
    return { requests, statuses: [...statuses], p50Ms: percentile(times, 50), maxMs: times.at(-1) ?? Number.NaN, baselineP50Ms: percentile(baseline, 50) };
  } finally {
    await world.close();
  }
}

export interface PlanFigure {
  budgetMicros: number;
  slots: number;
  ms: number;
  /** The same match without a budget (filter, score, rank): what the plan adds is ms − this. */
  unplannedMs: number;
  method: string;
  ratio: number | null;
  planned: number;
}

/** A year of the seeded marketplace (every slot open), matched with the route's own options and time limit. */
export function benchPlans(accounts: number, budgets: readonly number[], timeLimitMs: number): PlanFigure[] {
  const market = generateMarketplace({ accounts, days: 366, startDate: '2031-01-01', seed: 9 });
  const byId = new Map(market.accounts.map((a) => [a.id, a]));
  const candidates: Candidate[] = market.slots.map((slot) => ({ slot, account: byId.get(slot.accountId)! }));
  const query = { targeting: { gender: ['female' as const] }, dateFrom: '2031-01-01', dateTo: '2031-12-31' };
  const config = { ...parseConfig({}), MATCH_PLAN_TIME_MS: timeLimitMs };
  return budgets.map((budgetMicros) => {
    const unplanned = performance.now();
    matchSlots(candidates, query, { ...MATCH_LIMITS, plan: planOptions(config, () => 0) });
    const unplannedMs = performance.now() - unplanned;
    const started = performance.now();
    const { plan } = matchSlots(candidates, { ...query, budgetMicros }, { ...MATCH_LIMITS, plan: planOptions(config, () => performance.now() - started) });
    return {
      budgetMicros,
      slots: candidates.length,
      ms: performance.now() - started,
      unplannedMs,
      method: plan?.method ?? 'none',
      ratio: plan?.bound?.ratio ?? null,
      planned: plan?.slots.length ?? 0,
    };
  });
}
