import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import type { createApp } from '../../functions/http/app.js';
import type { createServeApp } from '../../functions/http/serve-app.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import { TAG_SCRIPT, TAG_VERSION } from '../../functions/tag/tag-script.js';
import { adOf, aUnit as unitOf, anActiveCampaign, asBrowser, onUnit, type PlacementsRequest, serveWorld, type Market } from '../support/campaigns.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call, having, type Schemas, signup } from '../support/http.js';
import { depositToAdvertiser } from '../../functions/app/money/wallet.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let serve: ReturnType<typeof createServeApp>;
let market: Market;

/** Lets the serve engine look at the campaign feed again (at most once a second). */
const nextSecond = () => (deps.clock as MovableClock).advance(1_100);
const onUnits = (...units: string[]): Schemas['CampaignInput']['targeting'] => [[{ attribute: 'adUnitId', op: 'in', values: units }]];
const placements = (units: string[], extra: Partial<PlacementsRequest> = {}) =>
  call(serve, 'POST', '/v1/decisions', { body: { placements: units.map((adUnitId) => ({ adUnitId })), viewer: { id: 'page-viewer' }, ...extra } });

/** The campaign's counts as its advertiser reads them in GET /v1/reports. */
async function report(campaignId: string): Promise<Schemas['Report']['totals']> {
  await serveEngine(deps).flush();
  const now = deps.clock().getTime();
  const q = `dimension=campaign&id=${campaignId}&from=${new Date(now - 86_400_000).toISOString()}&to=${new Date(now + 86_400_000).toISOString()}`;
  const res = await call(app, 'GET', `/v1/reports?${q}`, { key: market.advertiser.key });
  expect(res.status).toBe(200);
  return res.body.totals;
}

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

beforeAll(async () => {
  deps = await testDeps({ env: { PUBLIC_BASE_URL: 'https://ads.example.com' } });
  ({ app, serve, market } = await serveWorld(deps));
});

describe('POST /v1/decisions with placements', () => {
  it('answers one decision per placement, in order, never the same campaign twice, with each unit’s size', async () => {
    const first = await unitOf(app, market, { width: 320, height: 100 });
    const second = await unitOf(app, market);
    const best = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnits(first, second),
      bidding: { model: 'cpm', bidMicros: 9_000_000 },
    });
    const next = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnits(first, second),
      bidding: { model: 'cpm', bidMicros: 4_000_000 },
    });
    nextSecond();
    const res = await placements([first, second]);
    expect(res.status).toBe(200);
    expect(having(res.body, 'decisions').decisions).toMatchObject([
      { adUnitId: first, width: 320, height: 100, decisionId: expect.stringMatching(/^dec_/), ad: { campaignId: best } },
      { adUnitId: second, width: 300, height: 250, ad: { campaignId: next } },
    ]);
    // Alone, the second unit would have shown the best campaign too.
    expect(adOf((await call(serve, 'POST', '/v1/decisions', { body: { adUnitId: second, viewer: { id: 'page-viewer' } } })).body).campaignId).toBe(best);
  });

  it('gives a placement no ad when every matching campaign is already on the page, with the owner’s fallback HTML', async () => {
    const first = await unitOf(app, market);
    const second = await unitOf(app, market, { fallbackHtml: '<a href="/subscribe">Subscribe</a>' });
    const only = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnits(first, second) });
    nextSecond();
    const res = await placements([first, second]);
    expect(having(res.body, 'decisions').decisions).toMatchObject([
      { ad: { campaignId: only } },
      { adUnitId: second, ad: null, fallbackHtml: '<a href="/subscribe">Subscribe</a>' },
    ]);
  });

  it('with uniqueAdvertisers, shows no advertiser twice on the page', async () => {
    const first = await unitOf(app, market);
    const second = await unitOf(app, market);
    const a1 = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnits(first, second),
      bidding: { model: 'cpm', bidMicros: 9_000_000 },
    });
    const a2 = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnits(first, second),
      bidding: { model: 'cpm', bidMicros: 8_000_000 },
    });
    const other = await signup(app, 'advertiser');
    await depositToAdvertiser(deps, { advertiserId: other.id, amountMicros: 1_000_000_000, reference: 'test' });
    const b = await anActiveCampaign(app, deps, other, market.admin, { targeting: onUnits(first, second), bidding: { model: 'cpm', bidMicros: 2_000_000 } });
    nextSecond();
    expect(having((await placements([first, second])).body, 'decisions').decisions.map((d) => d.ad?.campaignId)).toEqual([a1, a2]);
    expect(having((await placements([first, second], { uniqueAdvertisers: true })).body, 'decisions').decisions.map((d) => d.ad?.campaignId)).toEqual([a1, b]);
  });

  it('refuses an empty or oversized placement list and an unknown unit, as problems', async () => {
    const empty = await placements([]);
    expect(empty.status).toBe(400);
    expect(empty.headers.get('content-type')).toContain('application/problem+json');
    expect((await placements(Array.from({ length: 21 }, () => market.unitId))).status).toBe(400);
    const unknown = await placements([market.unitId, 'unit_nope']);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });

  it('reads a JSON body sent as text/plain (the tag’s, which needs no CORS preflight)', async () => {
    const res = await serve.request('/v1/decisions', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://blog.example.com' },
      body: JSON.stringify({ placements: [{ adUnitId: market.unitId }], viewer: { id: 'v' } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await res.json()).decisions).toHaveLength(1);
  });
});

describe('viewer attributes from the request', () => {
  it('targets device and OS read from the User-Agent when the caller sends none, and lets the caller’s values win', async () => {
    const unit = await unitOf(app, market);
    await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: [
        [
          { attribute: 'adUnitId', op: 'in', values: [unit] },
          { attribute: 'device', op: 'in', values: ['mobile'] },
          { attribute: 'os', op: 'in', values: ['ios'] },
        ],
      ],
    });
    nextSecond();
    const ask = (ua: string, viewer: Record<string, string> = {}) =>
      call(serve, 'POST', '/v1/decisions', { body: { adUnitId: unit, viewer: { id: 'ua', ...viewer } }, headers: { 'user-agent': ua } });
    expect(having((await ask(IPHONE)).body, 'ad').ad).not.toBeNull();
    expect(having((await ask(WINDOWS)).body, 'ad').ad).toBeNull();
    expect(having((await ask(WINDOWS, { device: 'mobile', os: 'ios' })).body, 'ad').ad).not.toBeNull();
    expect(having((await ask(IPHONE, { os: 'android' })).body, 'ad').ad).toBeNull();
  });

  it('targets the region from CloudFront’s viewer headers when the caller sends none', async () => {
    const unit = await unitOf(app, market);
    await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: [
        [
          { attribute: 'adUnitId', op: 'in', values: [unit] },
          { attribute: 'region', op: 'in', values: ['CN-SH'] },
        ],
      ],
    });
    nextSecond();
    const ask = (headers: Record<string, string>, viewer: Record<string, string> = {}) =>
      call(serve, 'POST', '/v1/decisions', { body: { adUnitId: unit, viewer: { id: 'geo', ...viewer } }, headers });
    expect(having((await ask({ 'cloudfront-viewer-country': 'CN', 'cloudfront-viewer-country-region': 'SH' })).body, 'ad').ad).not.toBeNull();
    expect(having((await ask({ 'cloudfront-viewer-country': 'CN', 'cloudfront-viewer-country-region': 'BJ' })).body, 'ad').ad).toBeNull();
    expect(having((await ask({ 'cloudfront-viewer-country': 'US', 'cloudfront-viewer-country-region': 'CA' })).body, 'ad').ad).toBeNull();
    expect(having((await ask({ 'cloudfront-viewer-country': 'US' }, { region: 'CN-SH' })).body, 'ad').ad).not.toBeNull();
  });
});

// Mail clients and their image proxies send a user agent: without one a request is a bot's (never billed).
describe('image tag (/e/i and /e/c)', () => {
  it('bills an open once: the first open redirects to the creative’s image and bills, a second open bills nothing and counts invalid', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) });
    nextSecond();
    const open = await asBrowser(serve, `/e/i/${unit}/reader-1`);
    expect(open.status).toBe(302);
    expect(open.headers.get('location')).toBe('https://cdn.example.com/tea.png');
    expect(open.headers.get('cache-control')).toContain('no-store');
    expect(await report(id)).toMatchObject({ impressions: 1, spendMicros: 1_000, invalid: 0 });
    const again = await asBrowser(serve, `/e/i/${unit}/reader-1`);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('https://cdn.example.com/tea.png');
    expect(await report(id)).toMatchObject({ impressions: 1, spendMicros: 1_000, invalid: 1 });
    // Another recipient is another open.
    await asBrowser(serve, `/e/i/${unit}/reader-2`);
    expect(await report(id)).toMatchObject({ impressions: 2, spendMicros: 2_000 });
  });

  it('bills a click after its open once, redirecting to the landing page; a click without an open redirects and bills nothing', async () => {
    const unit = await unitOf(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), bidding: { model: 'cpc', bidMicros: 500_000 } });
    nextSecond();
    expect((await asBrowser(serve, `/e/i/${unit}/reader-1`)).status).toBe(302);
    const click = await asBrowser(serve, `/e/c/${unit}/reader-1`);
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://tea.example.com/spring');
    const billed = await report(id);
    expect(billed).toMatchObject({ impressions: 1, clicks: 1, invalid: 0 });
    expect(billed.spendMicros).toBeGreaterThan(0);
    const second = await asBrowser(serve, `/e/c/${unit}/reader-1`);
    expect(second.headers.get('location')).toBe('https://tea.example.com/spring');
    expect(await report(id)).toMatchObject({ clicks: 1, invalid: 1, spendMicros: billed.spendMicros });
    const unopened = await asBrowser(serve, `/e/c/${unit}/never-opened`);
    expect(unopened.status).toBe(302);
    expect(unopened.headers.get('location')).toBe('https://tea.example.com/spring');
    expect(await report(id)).toMatchObject({ clicks: 1, invalid: 2, spendMicros: billed.spendMicros });
  });

  it('answers a transparent GIF when there is no ad, and problems for an unknown unit or an oversized key', async () => {
    const unit = await unitOf(app, market);
    const res = await asBrowser(serve, `/e/i/${unit}/reader-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect((await serve.request('/e/i/unit_nope/reader-1')).status).toBe(404);
    const long = await asBrowser(serve, `/e/c/${unit}/${'k'.repeat(201)}`);
    expect(long.status).toBe(400);
    expect(long.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the ad unit’s code', () => {
  it('gives the owner the JavaScript and image code with the unit id, size and this deployment’s URLs filled in', async () => {
    const created = await call(app, 'POST', `/v1/accounts/${market.accountId}/ad-units`, {
      key: market.publisher.key,
      body: { placement: 'in_article', floorCpmMicros: 1_000_000, width: 600, height: 200 },
    });
    const id = created.body.id as string;
    expect(created.body.code.javascript).toBe(
      `<div data-placard-unit="${id}"></div>\n<script async src="https://ads.example.com/tag.js?v=${TAG_VERSION}"></script>`,
    );
    const got = await call(app, 'GET', `/v1/ad-units/${id}`, { key: market.publisher.key });
    expect(got.body.code.image).toContain(`<a href="https://ads.example.com/e/c/${id}/{key}"`);
    expect(got.body.code.image).toContain(`<img src="https://ads.example.com/e/i/${id}/{key}" width="600" height="200"`);
    const listed = await call(app, 'GET', `/v1/accounts/${market.accountId}/ad-units`, { key: market.publisher.key });
    expect(listed.body.items.find((u: { id: string }) => u.id === id)?.code).toEqual(got.body.code);
  });
});

describe('GET /tag.js', () => {
  it('serves the built tag gzipped, under 5 KB, cached a year at its versioned URL and an hour otherwise', async () => {
    const res = await serve.request(`/tag.js?v=${TAG_VERSION}`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeLessThan(5 * 1024);
    expect(gunzipSync(body).toString()).toBe(TAG_SCRIPT);
    const plain = await serve.request('/tag.js');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(await plain.text()).toBe(TAG_SCRIPT);
    const again = await serve.request('/tag.js', { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});
