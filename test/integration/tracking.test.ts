import { beforeAll, describe, expect, it } from 'vitest';
import type { TrackingRef } from '../../functions/core/serving/tracking.js';
import { viewerHash } from '../../functions/core/serving/viewer.js';
import type { Deps } from '../../functions/deps.js';
import type { createApp } from '../../functions/http/app.js';
import type { createServeApp } from '../../functions/http/serve-app.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import {
  adOf,
  aUnit as unitOf,
  anActiveCampaign,
  onUnit,
  asBrowser,
  remainingBudget,
  reportTotals,
  serveWorld,
  tokensFor,
  track,
  urlPath,
  type Market,
} from '../support/campaigns.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call, having } from '../support/http.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let serve: ReturnType<typeof createServeApp>;
let market: Market;

const clock = () => deps.clock as MovableClock;
const path = urlPath;

const remaining = (campaignId: string): Promise<number> => remainingBudget(deps, campaignId);
const counters = (dimension: string, id: string): Promise<Record<string, number>> => reportTotals(deps, dimension, id);

/** Programmatic earnings are pending until they clear. */
async function pending(): Promise<number> {
  await serveEngine(deps).returnLeases();
  return having((await call(app, 'GET', '/v1/wallet', { key: market.publisher.key })).body.balances, 'pendingMicros').pendingMicros;
}

async function aDecision(unit: string, viewer = 'viewer-1') {
  const res = await call(serve, 'POST', '/v1/decisions', { body: { adUnitId: unit, viewer: { id: viewer } } });
  expect(having(res.body, 'ad').ad, JSON.stringify(res.body)).not.toBeNull();
  return { impression: path(adOf(res.body).impressionUrl), click: path(adOf(res.body).clickUrl) };
}

beforeAll(async () => {
  // One browser sends every event here: the per-source limits (billing-rules.test.ts) are lifted,
  // since what these tests check is exactness against the budget, replays and forgeries.
  deps = await testDeps({ env: { SOURCE_CAMPAIGN_DAILY_LIMIT: '1000000', SOURCE_UNIT_HOURLY_LIMIT: '1000000' } });
  ({ app, serve, market } = await serveWorld(deps));
});

describe('tracking', () => {
  it('bills a CPM impression once: a replay answers the same GIF, bills nothing and counts invalid', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) });
    clock().advance(1_100);
    const { impression } = await aDecision(unit);
    const before = await remaining(id);
    const first = await track(deps, serve, impression);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/gif');
    const charged = before - (await remaining(id));
    expect(charged).toBe(1_000); // alone: the floor, 1 000 000 per mille
    const replay = await track(deps, serve, impression);
    expect(replay.status).toBe(200);
    expect(await remaining(id)).toBe(before - charged);
    expect(await counters('campaign', id)).toMatchObject({ impressions: 1, invalid: 1, spendMicros: 1_000 });
  });

  it('never bills forged or expired tokens, and counts them invalid', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) });
    clock().advance(1_100);
    const { impression } = await aDecision(unit);
    const before = await remaining(id);
    const [body, sig] = impression.split('/').at(-1)!.split('.');
    const forged = await track(deps, serve, `/t/i/${body}.${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`);
    expect(forged.status).toBe(200);
    expect((await track(deps, serve, '/t/i/garbage')).status).toBe(200);
    // Genuine but past its expiry (made directly: moving the shared clock back would confuse the engine's feed).
    const ref: TrackingRef = { accountId: market.accountId, publisherId: market.publisher.id, advertiserId: market.advertiser.id, viewerHash: viewerHash('v') };
    const expired = tokensFor(
      deps,
      { decisionId: 'dec_old', campaignId: id, adUnitId: unit, chargeMicros: 1_000, chargeEvent: 'impression', ref },
      deps.clock().getTime() - 1_000,
    );
    expect((await asBrowser(serve, `/t/i/${expired.impression}`)).status).toBe(200);
    expect(await remaining(id)).toBe(before);
    expect(await counters('campaign', id)).toMatchObject({ invalid: 1 });
    expect((await counters('campaign', id)).impressions ?? 0).toBe(0);
  });

  it('bills a CPC click only after its impression, once, and redirects every time', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), bidding: { model: 'cpc', bidMicros: 500_000 } });
    clock().advance(1_100);
    const first = await aDecision(unit);
    const before = await remaining(id);
    const early = await track(deps, serve, first.click);
    expect(early.status).toBe(302);
    expect(early.headers.get('location')).toBe('https://tea.example.com/spring');
    expect(await remaining(id)).toBe(before);
    expect((await counters('campaign', id)).invalid).toBe(1);

    const second = await aDecision(unit, 'viewer-2');
    const pendingBefore = await pending();
    await track(deps, serve, second.impression);
    expect(await remaining(id)).toBe(before); // CPC: impressions are free
    expect((await track(deps, serve, second.click)).status).toBe(302);
    const charge = before - (await remaining(id));
    expect(charge).toBe(100_000); // floor ÷ (prior CTR 1 % × 1000)
    expect(await pending()).toBe(pendingBefore + charge - (charge * deps.config.PLATFORM_FEE_BPS) / 10_000);
    expect((await track(deps, serve, second.click)).status).toBe(302);
    expect(await remaining(id)).toBe(before - charge);
    expect(await counters('campaign', id)).toMatchObject({ impressions: 1, clicks: 1, invalid: 2, spendMicros: charge });
  });

  it('counts a replayed click on a spent budget as invalid, like any replay', async () => {
    const unit = await unitOf(app, market);
    const charge = 1_000;
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnit(unit),
      bidding: { model: 'cpc', bidMicros: charge },
      budget: { totalMicros: charge },
    });
    const ref: TrackingRef = {
      accountId: market.accountId,
      publisherId: market.publisher.id,
      advertiserId: market.advertiser.id,
      viewerHash: viewerHash('v'),
      landingUrl: 'https://tea.example.com/spring',
    };
    const exp = deps.clock().getTime() + 3_600_000;
    const [paid, unpaid] = [0, 1].map((i) =>
      tokensFor(deps, { decisionId: `dec_spent${i}`, campaignId: id, adUnitId: unit, chargeMicros: charge, chargeEvent: 'click', ref }, exp),
    );
    for (const t of [paid!, unpaid!]) await asBrowser(serve, `/t/i/${t.impression}`);
    await asBrowser(serve, `/t/c/${paid!.click}`);
    await asBrowser(serve, `/t/c/${unpaid!.click}`);
    expect(await remaining(id)).toBe(0);
    expect((await counters('campaign', id)).invalid ?? 0).toBe(0);
    await asBrowser(serve, `/t/c/${unpaid!.click}`);
    expect(await counters('campaign', id)).toMatchObject({ clicks: 2, invalid: 1, spendMicros: charge });
  });
});
