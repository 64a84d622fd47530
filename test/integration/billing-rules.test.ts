import { beforeAll, describe, expect, it, vi } from 'vitest';
import { serveEngine, ServeEngine } from '../../functions/app/serving/serve-engine.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { aMarket, anActiveCampaign, asBrowser, aUnit, onUnit, urlPath, type Market } from '../support/campaigns.js';
import { tokensFor } from '../support/billing.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { BROWSER_UA, call } from '../support/http.js';

/**
 * Rules enforced in the billing write itself (issue 10): per-source limits and frequency caps,
 * each refused event counted invalid under its reason; and the counters' flushing (issue 9).
 */

const CHARGE = 1_000;
let deps: Deps;
let app: ReturnType<typeof createApp>;
let market: Market;

async function report(key: string, dimension: string, id: string): Promise<Record<string, any>> {
  const from = new Date(deps.clock().getTime() - 3_600_000).toISOString();
  const to = new Date(deps.clock().getTime() + 3_600_000).toISOString();
  const res = await call(app, 'GET', `/v1/reports?dimension=${dimension}&id=${id}&from=${from}&to=${to}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.totals;
}

beforeAll(async () => {
  deps = await testDeps({ env: { SOURCE_CAMPAIGN_DAILY_LIMIT: '3', COUNTER_FLUSH_MS: '50' } });
  app = createApp(deps);
  market = await aMarket(app, deps);
});

describe('billing rules', { timeout: 300_000 }, () => {
  it('bills at most the per-source limit of one campaign a day; the rest is counted over_limit', async () => {
    const unit = await aUnit(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) });
    const engine = new ServeEngine(deps);
    const tokens = tokensFor(deps, market, id, unit, 6, { charge: CHARGE, viewer: () => 'one-source' });
    const outcomes = [];
    for (const t of tokens) outcomes.push((await engine.track(t.impression, 'i', t.source)).outcome);
    expect(outcomes).toEqual(['billed', 'billed', 'billed', 'over_limit', 'over_limit', 'over_limit']);
    await engine.stop();
    const totals = await report(market.advertiser.key, 'campaign', id);
    expect(totals).toMatchObject({ impressions: 3, spendMicros: 3 * CHARGE, invalid: 3, invalidByReason: { over_limit: 3 } });
  });

  it('calls a click without its impression no_impression, and its copy a replay, also once the budget is spent', async () => {
    const unit = await aUnit(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnit(unit),
      bidding: { model: 'cpc', bidMicros: 1_000_000 },
      budget: { totalMicros: CHARGE },
    });
    const engine = new ServeEngine(deps);
    const [spender, other] = tokensFor(deps, market, id, unit, 2, { charge: CHARGE, model: 'cpc' });
    const track = async (token: string, event: 'i' | 'c', source = spender!.source) => (await engine.track(token, event, source)).outcome;
    expect(await track(spender!.impression, 'i')).toBe('recorded');
    expect(await track(spender!.click, 'c')).toBe('billed');
    // The budget is spent: a click that never had an impression is still invalid traffic, not a campaign running dry.
    expect(await track(other!.click, 'c', other!.source)).toBe('no_impression');
    expect(await track(other!.impression, 'i', other!.source)).toBe('recorded');
    expect(await track(other!.click, 'c', other!.source)).toBe('budget');
    expect(await track(other!.click, 'c', other!.source)).toBe('replay');
    await engine.stop();
    const totals = await report(market.advertiser.key, 'campaign', id);
    // Two valid clicks (one billed, one on the spent budget), two invalid ones.
    expect(totals).toMatchObject({ clicks: 2, spendMicros: CHARGE, invalid: 2, invalidByReason: { no_impression: 1, replay: 1 } });
  });

  it('bills at most the per-source limit of one unit an hour, across campaigns', async () => {
    const unit = await aUnit(app, market);
    const ids = [
      await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) }),
      await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) }),
    ];
    const engine = new ServeEngine({ ...deps, config: { ...deps.config, SOURCE_UNIT_HOURLY_LIMIT: 2 } });
    const outcomes = [];
    for (const id of ids)
      for (const t of tokensFor(deps, market, id, unit, 2, { charge: CHARGE, viewer: () => 'unit-source' }))
        outcomes.push((await engine.track(t.impression, 'i', t.source)).outcome);
    expect(outcomes).toEqual(['billed', 'billed', 'over_limit', 'over_limit']);
    await engine.stop();
  });

  it('bills a capped viewer at most the cap, though ten decisions came before ten impressions', async () => {
    const serve = createServeApp(deps);
    const unit = await aUnit(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), frequencyCap: { impressions: 2, perHours: 24 } });
    (deps.clock as MovableClock).advance(1_100); // past the campaign feed's refresh interval
    // Ten serve instances each decide once for the viewer, with no frequency token (a page that
    // drops it): no decision-time check knows of the others, so only billing can hold the cap.
    const instances = Array.from({ length: 10 }, () => new ServeEngine(deps));
    const decisions: string[] = [];
    for (const instance of instances) {
      const res = await instance.decide(
        { adUnitId: unit, viewer: { id: 'capped-viewer' } },
        { address: undefined, userAgent: BROWSER_UA, origin: undefined, serverKey: undefined },
      );
      if (res.ad === null) throw new Error(`no ad: ${JSON.stringify(res)}`);
      decisions.push(urlPath(res.ad.impressionUrl));
    }
    await Promise.all(instances.map((instance) => instance.stop()));
    (deps.clock as MovableClock).advance(deps.config.MIN_IMPRESSION_DELAY_MS);
    for (const impression of decisions) expect((await asBrowser(serve, impression)).status).toBe(200);
    await serveEngine(deps).returnLeases();
    const totals = await report(market.advertiser.key, 'campaign', id);
    expect(totals.impressions).toBe(2);
    expect(totals.invalidByReason).toEqual({ cap: 8 });
    expect(totals.spendMicros).toBeGreaterThan(0);
  });

  it('counts invalid events that name no campaign where operators can read them', async () => {
    const serve = createServeApp(deps);
    expect((await serve.request('/t/i/not-a-token')).status).toBe(200);
    await serveEngine(deps).flush();
    const totals = await report(market.admin, 'platform', 'all');
    expect(totals.invalidByReason.malformed).toBeGreaterThanOrEqual(1);
    const from = deps.clock().toISOString();
    expect((await call(app, 'GET', `/v1/reports?dimension=platform&id=all&from=${from}&to=${from}`, { key: market.publisher.key })).status).toBe(404);
  });

  it('flushes request and fill counters on a timer, with no traffic after them', async () => {
    const serve = createServeApp(deps);
    const unit = await aUnit(app, market);
    await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) });
    (deps.clock as MovableClock).advance(1_100);
    for (let i = 0; i < 5; i++) await call(serve, 'POST', '/v1/decisions', { body: { adUnitId: unit, viewer: { id: `timer-${i}` } } });
    // No flush is asked for: the engine's timer (COUNTER_FLUSH_MS = 50) writes them.
    await vi.waitFor(async () => expect(await report(market.publisher.key, 'adUnit', unit)).toMatchObject({ requests: 5, fills: 5 }), {
      timeout: 60_000,
      interval: 200,
    });
  });
});
