import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { viewerHash } from '../../functions/core/serving/viewer.js';
import { keys } from '../../functions/store/keys.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import { aUnit as unitOf, anActiveCampaign, onUnit, serveWorld, urlPath, type Market } from '../support/campaigns.js';
import { countReads } from '../support/counting-db.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call } from '../support/http.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let serve: ReturnType<typeof createServeApp>;
let market: Market;

/** Lets the serve engine look at the campaign feed again (at most once a second). */
const nextSecond = () => (deps.clock as MovableClock).advance(1_100);
const decide = (adUnitId: string, viewer: Record<string, unknown> = {}) => call(serve, 'POST', '/v1/decisions', { body: { adUnitId, viewer: { id: 'viewer-1', ...viewer } } });
const path = urlPath;


beforeAll(async () => {
  deps = await testDeps();
  ({ app, serve, market } = await serveWorld(deps));
});

describe('POST /v1/decisions', () => {
  it('returns a matching campaign’s creative with signed tracking URLs, and no ad to viewers outside its targeting', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: [[{ attribute: 'adUnitId', op: 'in', values: [unit] }, { attribute: 'region', op: 'in', values: ['CN-SH'] }]] });
    nextSecond();
    const hit = await decide(unit, { region: 'CN-SH' });
    expect(hit.status).toBe(200);
    expect(hit.headers.get('access-control-allow-origin')).toBe('*');
    expect(hit.body).toMatchObject({ decisionId: expect.stringMatching(/^dec_/), ad: { campaignId: id, creative: { title: 'Green tea', landingUrl: 'https://tea.example.com/spring' } } });
    expect(path(hit.body.ad.impressionUrl)).toMatch(/^\/t\/i\/[\w-]+\.[\w-]+$/);
    expect(path(hit.body.ad.clickUrl)).toMatch(/^\/t\/c\//);
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
      expect(d.body.ad).not.toBeNull();
      expect((await serve.request(path(d.body.ad.impressionUrl))).status).toBe(200);
    }
    expect((await decide(unit, { id: 'capped-viewer' })).body).toEqual({ ad: null, reason: 'frequency_cap' });
    expect((await decide(unit, { id: 'another-viewer' })).body.ad).not.toBeNull();
  });

  it('reads at most one item per warm decision (the viewer’s frequency item), shared by concurrent decisions', async () => {
    const unit = await unitOf(app, market);
    await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), frequencyCap: { impressions: 5, perHours: 1 } });
    nextSecond();
    await decide(unit); // warms the feed, the budget view and the unit cache
    const reads = countReads(deps.db);
    for (let i = 0; i < 10; i++) {
      reads.reset();
      expect((await decide(unit, { id: `warm-${i}` })).body.ad).not.toBeNull();
      expect(reads.calls).toBe(1);
      expect(reads.items).toBeLessThanOrEqual(1);
    }
    // Concurrent decisions share one BatchGetItem (and a viewer asked for twice is read once).
    reads.reset();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => decide(unit, { id: `together-${i % 10}` })));
    expect(answers.every((a) => a.body.ad !== null)).toBe(true);
    expect(reads.calls).toBe(1);
  });

  it('answers unknown units 404, disabled units with no ad, bad input 400 naming fields', async () => {
    expect((await decide('unit_nope')).status).toBe(404);
    const unit = await unitOf(app, market);
    await call(app, 'PATCH', `/v1/ad-units/${unit}`, { key: market.publisher.key, body: { enabled: false } });
    expect((await decide(unit)).body).toEqual({ ad: null, reason: 'unit_disabled' });
    const bad = await call(serve, 'POST', '/v1/decisions', { body: { viewer: { region: 5 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['adUnitId', 'viewer.id', 'viewer.region']);
    const preflight = await serve.request('/v1/decisions', { method: 'OPTIONS', headers: { origin: 'https://news.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('keeps one frequency item per viewer: buckets past their window are removed, the cap still holds', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), frequencyCap: { impressions: 1, perHours: 1 } });
    nextSecond();
    const show = async () => {
      const d = await decide(unit, { id: 'hourly-viewer' });
      expect(d.body.ad?.campaignId).toBe(id);
      expect((await serve.request(path(d.body.ad.impressionUrl))).status).toBe(200);
    };
    const stored = async () => (await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: keys.viewerFrequency(viewerHash('hourly-viewer')) }))).Item ?? {};
    const counters = async () => Object.keys(await stored()).filter((k) => k.startsWith(`${id}#`));
    await show();
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
    const doc = (await call(app, 'GET', '/openapi.json')).body;
    // One unit or several placements: both forms carry the viewer.
    const forms = doc.paths['/v1/decisions'].post.requestBody.content['application/json'].schema.anyOf;
    expect(forms.map((f: { properties: object }) => Object.keys(f.properties))).toEqual([expect.arrayContaining(['adUnitId', 'viewer']), expect.arrayContaining(['placements', 'viewer'])]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/t/i/{token}', '/t/c/{token}', '/tag.js', '/e/i/{unit}/{key}', '/e/c/{unit}/{key}', '/v1/campaigns', '/v1/reports']));
    await serveEngine(deps).flush();
  });
});
