import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import type { createApp } from '../../functions/http/app.js';
import type { createServeApp } from '../../functions/http/serve-app.js';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { viewerHash } from '../../functions/core/serving/viewer.js';
import { keys } from '../../functions/store/keys.js';
import { LIFETIME } from '../../functions/store/reports.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import {
  adOf,
  aUnit as unitOf,
  anActiveCampaign,
  asBrowser,
  onUnit,
  serveWorld,
  tokensFor,
  track,
  urlPath,
  type Market,
  type OneUnitRequest as OneUnit,
} from '../support/campaigns.js';
import { countReads, type ReadCounter } from '../support/counting-db.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call, having, invalid } from '../support/http.js';
import { openApiDocument } from '../support/openapi-document.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let serve: ReturnType<typeof createServeApp>;
let market: Market;
/** DynamoDB read calls through the test's table client, counted from the last reset. */
let reads: ReadCounter;

/** Lets the serve engine look at the campaign feed again (at most once a second). */
const nextSecond = () => (deps.clock as MovableClock).advance(1_100);
/** A decision as the unit's owner debugs it: a no-ad answer carries its reason. */
const decide = (adUnitId: string, viewer: Partial<OneUnit['viewer']> = {}) =>
  call(serve, 'POST', '/v1/decisions?debug=true', { key: market.publisher.key, body: { adUnitId, viewer: { id: 'viewer-1', ...viewer } } });
/** A decision as a page asks for it. */
const publicDecide = (body: OneUnit, headers: Record<string, string> = {}) => call(serve, 'POST', '/v1/decisions', { body, headers });
const path = urlPath;

beforeAll(async () => {
  deps = await testDeps();
  ({ app, serve, market } = await serveWorld(deps));
  reads = countReads(deps.db);
});

describe('POST /v1/decisions', () => {
  it('returns a matching campaign’s creative with signed tracking URLs, and no ad to viewers outside its targeting', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: [
        [
          { attribute: 'adUnitId', op: 'in', values: [unit] },
          { attribute: 'region', op: 'in', values: ['CN-SH'] },
        ],
      ],
    });
    nextSecond();
    const hit = await decide(unit, { region: 'CN-SH' });
    expect(hit.status).toBe(200);
    expect(hit.headers.get('access-control-allow-origin')).toBe('*');
    expect(hit.body).toMatchObject({
      decisionId: expect.stringMatching(/^dec_/),
      ad: { campaignId: id, creative: { title: 'Green tea', landingUrl: 'https://tea.example.com/spring' } },
      frequencyToken: expect.any(String),
    });
    expect(path(adOf(hit.body).impressionUrl)).toMatch(/^\/t\/i\/[\w-]+\.[\w-]+$/);
    expect(path(adOf(hit.body).clickUrl)).toMatch(/^\/t\/c\//);
    expect((await decide(unit, { region: 'CN-BJ' })).body).toEqual({ ad: null, reason: 'no_match' });
    expect((await decide(unit)).body).toEqual({ ad: null, reason: 'no_match' });
  });

  it('respects the unit’s floor and blocked categories', async () => {
    const floored = await unitOf(app, market, { floorCpmMicros: 50_000_000 });
    await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(floored), bidding: { model: 'cpm', bidMicros: 10_000_000 } });
    const blocking = await unitOf(app, market, { blockedCategories: ['finance'] });
    await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(blocking), category: 'finance' });
    nextSecond();
    expect((await decide(floored)).body).toEqual({ ad: null, reason: 'below_floor' });
    expect((await decide(blocking)).body).toEqual({ ad: null, reason: 'blocked_category' });
  });

  it('holds a frequency cap per viewer: N impressions, then no ad for that viewer only', async () => {
    const unit = await unitOf(app, market);
    await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), frequencyCap: { impressions: 2, perHours: 24 } });
    nextSecond();
    for (let i = 0; i < 2; i++) {
      const d = await decide(unit, { id: 'capped-viewer' });
      expect(having(d.body, 'ad').ad).not.toBeNull();
      expect((await track(deps, serve, adOf(d.body).impressionUrl)).status).toBe(200);
    }
    expect((await decide(unit, { id: 'capped-viewer' })).body).toEqual({ ad: null, reason: 'frequency_cap' });
    expect(having((await decide(unit, { id: 'another-viewer' })).body, 'ad').ad).not.toBeNull();
  });

  it('reads nothing per warm decision: caps hold from the frequency token and the instance’s memory; a server caller without a token reads the viewer’s item', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), frequencyCap: { impressions: 2, perHours: 1 } });
    nextSecond();
    await publicDecide({ adUnitId: unit, viewer: { id: 'warm-up' } }); // warms the feed, the budget view and the unit cache
    reads.reset();
    // A page carries its token from one decision to the next: the third is over the cap of 2.
    let frequencyToken: string | undefined;
    for (let i = 0; i < 2; i++) {
      const d = await publicDecide({ adUnitId: unit, viewer: { id: 'tokened' }, ...(frequencyToken ? { frequencyToken } : {}) });
      expect(having(d.body, 'ad').ad).not.toBeNull();
      frequencyToken = having(d.body, 'frequencyToken').frequencyToken;
    }
    expect((await publicDecide({ adUnitId: unit, viewer: { id: 'tokened' }, frequencyToken })).body).toEqual({ ad: null });
    for (let i = 0; i < 10; i++) expect(having((await publicDecide({ adUnitId: unit, viewer: { id: `warm-${i}` } })).body, 'ad').ad).not.toBeNull();
    expect(reads.calls).toBe(0);
    // The token is bound to its viewer: another viewer's token does not cap this one.
    expect(having((await publicDecide({ adUnitId: unit, viewer: { id: 'fresh' }, frequencyToken })).body, 'ad').ad).not.toBeNull();

    // Server to server (the unit's key, no token): the viewer's item is read, and what billing counted caps.
    const { key } = (await call(app, 'POST', `/v1/ad-units/${unit}/server-key`, { key: market.publisher.key })).body;
    const server = (id: string) => publicDecide({ adUnitId: unit, viewer: { id } }, { 'x-placard-unit-key': key, 'user-agent': 'reader-backend/1.0' });
    (deps.clock as MovableClock).advance(deps.config.AD_UNIT_CACHE_SECONDS * 1000); // instances see the new key within the unit cache's life
    // Two impressions billed from decisions another instance made (this one never saw them).
    const ref = {
      accountId: market.accountId,
      publisherId: market.publisher.id,
      advertiserId: market.advertiser.id,
      viewerHash: viewerHash('shown-elsewhere'),
    };
    for (let i = 0; i < 2; i++) {
      const tokens = tokensFor(
        deps,
        { decisionId: `dec_elsewhere${i}`, campaignId: id, adUnitId: unit, chargeMicros: 1_000, chargeEvent: 'impression', ref },
        deps.clock().getTime() + 3_600_000,
      );
      await asBrowser(serve, `/t/i/${tokens.impression}`);
    }
    await server('warms-the-unit-again');
    reads.reset();
    expect(having((await server('another-server-viewer')).body, 'ad').ad).toMatchObject({ campaignId: id });
    expect(reads.calls).toBe(1);
    expect((await server('shown-elsewhere')).body).toEqual({ ad: null });
    // A page without a token is offered the ad (billing, not the decision, holds the cap exactly).
    expect(having((await publicDecide({ adUnitId: unit, viewer: { id: 'shown-elsewhere' } })).body, 'ad').ad).not.toBeNull();
  });

  it('does not wait on DynamoDB for state younger than SERVE_STATE_MAX_AGE_SECONDS: the refresh runs behind the decision', async () => {
    const lazy = await testDeps({ env: { SERVE_STATE_MAX_AGE_SECONDS: '60' } });
    const world = await serveWorld(lazy);
    const unit = await unitOf(world.app, world.market);
    const lazyDecide = () => call(world.serve, 'POST', '/v1/decisions', { body: { adUnitId: unit, viewer: { id: 'lazy' } } });
    const clock = lazy.clock as MovableClock;
    expect((await lazyDecide()).body).toEqual({ ad: null }); // cold: waits for the first refresh, which finds nothing
    const id = await anActiveCampaign(world.app, lazy, world.market.advertiser, world.market.admin, { targeting: onUnit(unit) });
    clock.advance(1_100);
    // The feed is due, but the state is a second old: this decision answers from it, and starts the refresh.
    expect((await lazyDecide()).body).toEqual({ ad: null });
    await serveEngine(lazy).refresh();
    expect(having((await lazyDecide()).body, 'ad').ad).toMatchObject({ campaignId: id });
    // Past the bound a decision waits: a paused campaign is gone from the very next one.
    await call(world.app, 'POST', `/v1/campaigns/${id}/pause`, { key: world.market.advertiser.key });
    clock.advance(61_000);
    expect((await lazyDecide()).body).toEqual({ ad: null });
  });

  it('ranks a CPC campaign by the CTR it has shown once the budget view refreshes', async () => {
    const unit = await unitOf(app, market);
    const cpm = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnit(unit),
      bidding: { model: 'cpm', bidMicros: 9_000_000 },
    });
    const cpc = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), bidding: { model: 'cpc', bidMicros: 500_000 } });
    nextSecond();
    // With no history a CPC bid counts at the prior CTR of 1 %: 500 000 × 1 % × 1 000 = 5 000 000 < 9 000 000.
    expect(adOf((await decide(unit)).body).campaignId).toBe(cpm);
    // It has since shown 1 000 times and been clicked 20 times: CTR (20 + 1) / (1 000 + 100) ≈ 1.9 %, eCPM ≈ 9 545 454.
    await deps.db.doc.send(
      new UpdateCommand({
        TableName: deps.db.tableName,
        Key: keys.report('campaign', cpc, LIFETIME),
        UpdateExpression: 'ADD impressions :i, clicks :c',
        ExpressionAttributeValues: { ':i': 1_000, ':c': 20 },
      }),
    );
    (deps.clock as MovableClock).advance(deps.config.BUDGET_REFRESH_SECONDS * 1_000 + 100);
    expect(adOf((await decide(unit)).body).campaignId).toBe(cpc);
  });

  it('answers unknown units 404, disabled units with no ad, bad input 400 naming fields', async () => {
    expect((await decide('unit_nope')).status).toBe(404);
    const unit = await unitOf(app, market);
    await call(app, 'PATCH', `/v1/ad-units/${unit}`, { key: market.publisher.key, body: { enabled: false } });
    expect((await decide(unit)).body).toEqual({ ad: null, reason: 'unit_disabled' });
    const bad = await call(serve, 'POST', '/v1/decisions', { body: invalid({ viewer: { region: 5 } }) });
    expect(bad.status).toBe(400);
    expect(bad.problem.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['adUnitId', 'viewer.id', 'viewer.region']);
    // A page may read the problem too, as a browser allows only with the CORS header.
    expect(bad.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await serve.request('/v1/decisions', {
      method: 'OPTIONS',
      headers: { origin: 'https://news.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')?.split(',')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it('keeps one frequency item per viewer: buckets past their window are removed, the cap still holds', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), frequencyCap: { impressions: 1, perHours: 1 } });
    nextSecond();
    const show = async () => {
      const d = await decide(unit, { id: 'hourly-viewer' });
      expect(having(d.body, 'ad').ad?.campaignId).toBe(id);
      expect((await track(deps, serve, adOf(d.body).impressionUrl)).status).toBe(200);
    };
    const stored = async () =>
      (await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: keys.viewerFrequency(viewerHash('hourly-viewer')) }))).Item ?? {};
    const counters = async () => Object.keys(await stored()).filter((k) => k.startsWith(`${id}#`));
    const d = await decide(unit, { id: 'hourly-viewer' });
    expect(having(d.body, 'ad').ad?.campaignId).toBe(id);
    reads.reset();
    expect((await track(deps, serve, adOf(d.body).impressionUrl)).status).toBe(200);
    // One read: the impression's own journal item (a replay counts nothing); the tidy-up reads the
    // viewer's item from what the cap's count returned, not again from the table.
    expect(reads.calls).toBe(1);
    expect(await counters()).toHaveLength(1);
    expect((await decide(unit, { id: 'hourly-viewer' })).body).toEqual({ ad: null, reason: 'frequency_cap' });
    (deps.clock as MovableClock).advance(2 * 3_600_000);
    await show();
    const [bucket] = await counters();
    expect(await counters()).toHaveLength(1);
    expect(bucket).toBe(`${id}#fq${Math.floor(deps.clock().getTime() / 3_600_000)}`);
    expect(Number((await stored()).expiresAt)).toBeGreaterThan(deps.clock().getTime() / 1000);
    expect((await decide(unit, { id: 'hourly-viewer' })).body).toEqual({ ad: null, reason: 'frequency_cap' });
  });

  it('documents the serve routes in /openapi.json from the same schemas', async () => {
    const doc = await openApiDocument(app);
    // One unit or several placements: both forms carry the viewer.
    const forms = doc.paths['/v1/decisions']?.post?.requestBody?.content['application/json']?.schema.anyOf;
    expect(forms?.map((f) => Object.keys(f.properties ?? {}))).toEqual([
      expect.arrayContaining(['adUnitId', 'viewer']),
      expect.arrayContaining(['placements', 'viewer']),
    ]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/t/i/{token}', '/t/c/{token}', '/tag.js', '/e/i/{unit}/{key}', '/e/c/{unit}/{key}', '/v1/campaigns', '/v1/reports']),
    );
    await serveEngine(deps).flush();
  });
});
