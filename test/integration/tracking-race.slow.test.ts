import { beforeAll, describe, expect, it } from 'vitest';
import type { TrackingRef } from '../../functions/core/serving/tracking.js';
import { viewerHash } from '../../functions/core/serving/viewer.js';
import type { Deps } from '../../functions/deps.js';
import type { createApp } from '../../functions/http/app.js';
import type { createServeApp } from '../../functions/http/serve-app.js';
import {
  aUnit as unitOf,
  anActiveCampaign,
  asBrowser,
  onUnit,
  remainingBudget,
  reportTotals,
  serveWorld,
  tokensFor,
  type Market,
} from '../support/campaigns.js';
import { testDeps } from '../support/deps.js';
import { call } from '../support/http.js';
import { ledgerState, total } from '../support/money.js';

/** Thousands of tracking requests at once (minutes on a busy machine): the slow project. */

let deps: Deps;
let app: ReturnType<typeof createApp>;
let serve: ReturnType<typeof createServeApp>;
let market: Market;

beforeAll(async () => {
  // 2000 viewers from one browser: the per-source limits (billing-rules.test.ts) are lifted, since
  // what this checks is exactness against the budget under concurrency.
  deps = await testDeps({ env: { SOURCE_CAMPAIGN_DAILY_LIMIT: '1000000', SOURCE_UNIT_HOURLY_LIMIT: '1000000' } });
  ({ app, serve, market } = await serveWorld(deps));
});

describe('tracking under concurrency', () => {
  it('bills exactly 1500 of 2000 concurrent clicks against a budget for 1500; remaining 0, ledger balanced', async () => {
    const unit = await unitOf(app, market);
    const charge = 1_000;
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnit(unit),
      bidding: { model: 'cpc', bidMicros: charge },
      budget: { totalMicros: 1500 * charge },
    });
    // 2000 different viewers: one source's billed events are limited (SOURCE_CAMPAIGN_DAILY_LIMIT).
    const ref = (i: number): TrackingRef => ({
      accountId: market.accountId,
      publisherId: market.publisher.id,
      advertiserId: market.advertiser.id,
      viewerHash: viewerHash(`v${i}`),
      landingUrl: 'https://tea.example.com/spring',
    });
    const exp = deps.clock().getTime() + 3_600_000;
    const tokens = Array.from({ length: 2000 }, (_, i) =>
      tokensFor(deps, { decisionId: `dec_race${i}`, campaignId: id, adUnitId: unit, chargeMicros: charge, chargeEvent: 'click', ref: ref(i) }, exp),
    );
    const started = performance.now();
    for (let i = 0; i < tokens.length; i += 200) await Promise.all(tokens.slice(i, i + 200).map((t) => asBrowser(serve, `/t/i/${t.impression}`)));
    const clicks = await Promise.all(tokens.map((t) => asBrowser(serve, `/t/c/${t.click}`)));
    const seconds = (performance.now() - started) / 1000;
    expect(clicks.every((r) => r.status === 302)).toBe(true);
    expect(await remainingBudget(deps, id)).toBe(0);
    const { stored, replayed } = await ledgerState(deps);
    expect(total(stored)).toBe(0);
    expect(stored).toEqual(replayed);
    expect(stored.get(`advertiser:${market.advertiser.id}:held`)).toBeGreaterThanOrEqual(0);
    expect(await reportTotals(deps, 'campaign', id)).toMatchObject({ impressions: 2000, clicks: 2000, spendMicros: 1500 * charge });
    const campaign = await call(app, 'GET', `/v1/campaigns/${id}`, { key: market.advertiser.key });
    expect(campaign.body.status).toBe('budget_exhausted');
    console.log(`2000 impressions + 2000 concurrent clicks: ${seconds.toFixed(1)} s`);
  }, 600_000);
});
