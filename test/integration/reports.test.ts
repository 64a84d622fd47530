import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import { aMarket, anActiveCampaign, track } from '../support/campaigns.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call, signup, having } from '../support/http.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let serve: ReturnType<typeof createServeApp>;
let market: Awaited<ReturnType<typeof aMarket>>;
let campaignId: string;
let from: string;
let to: string;

const path = (url: string) => new URL(url, 'http://x').pathname;
const report = (key: string, query: string) => call(app, 'GET', `/v1/reports?${query}&from=${from}&to=${to}`, { key });

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
  serve = createServeApp(deps);
  market = await aMarket(app, deps);
  campaignId = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
    targeting: [
      [
        { attribute: 'adUnitId', op: 'in', values: [market.unitId] },
        { attribute: 'region', op: 'in', values: ['CN-SH'] },
      ],
    ],
  });
  (deps.clock as MovableClock).advance(1_100);
  from = new Date(deps.clock().getTime() - 3_600_000).toISOString();
  to = new Date(deps.clock().getTime() + 3_600_000).toISOString();

  // 4 requests: 3 filled, 1 not; 2 impressions (one replayed); 1 click.
  const ads = [];
  for (const region of ['CN-SH', 'CN-SH', 'CN-SH', 'CN-BJ'])
    ads.push(having((await call(serve, 'POST', '/v1/decisions', { body: { adUnitId: market.unitId, viewer: { id: 'r', region } } })).body, 'ad').ad);
  for (const url of [ads[0]!.impressionUrl, ads[1]!.impressionUrl, ads[1]!.impressionUrl, ads[0]!.clickUrl]) await track(deps, serve, url);
  await serveEngine(deps).flush();
});

describe('GET /v1/reports', () => {
  it('gives the advertiser its campaign’s counts, rates and spend, as events happened', async () => {
    const res = await report(market.advertiser.key, `dimension=campaign&id=${campaignId}&granularity=day`);
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.totals).toMatchObject({
      fills: 3,
      impressions: 2,
      clicks: 1,
      invalid: 1,
      spendMicros: 2_000,
      ctr: 0.5,
      ecpmMicros: 1_000_000,
      ecpcMicros: 2_000,
    });
  });

  it('gives the owner its unit and account, by hour, with requests', async () => {
    const unit = await report(market.publisher.key, `dimension=adUnit&id=${market.unitId}&granularity=hour`);
    expect(unit.body.totals).toMatchObject({ requests: 4, fills: 3, impressions: 2, clicks: 1, invalid: 1, spendMicros: 2_000 });
    expect(unit.body.rows[0]?.period).toMatch(/^\d{4}-\d\d-\d\dT\d\d$/);
    const account = await report(market.publisher.key, `dimension=account&id=${market.accountId}`);
    expect(account.body.totals).toMatchObject({ requests: 4, fills: 3 });
  });

  it('answers CSV', async () => {
    const res = await app.request(`/v1/reports?dimension=campaign&id=${campaignId}&from=${from}&to=${to}&format=csv&granularity=day`, {
      headers: { authorization: `Bearer ${market.advertiser.key}` },
    });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const [header, row] = (await res.text()).trim().split('\r\n');
    expect(header).toBe('period,requests,fills,impressions,clicks,invalid,spendMicros,ctr,ecpmMicros,ecpcMicros');
    expect(row).toMatch(/^\d{4}-\d\d-\d\d,0,3,2,1,1,2000,0.5,1000000,2000$/);
  });

  it('hides other tenants’ objects (404) and refuses bad queries (400)', async () => {
    const other = await signup(app, 'advertiser');
    expect((await report(other.key, `dimension=campaign&id=${campaignId}`)).status).toBe(404);
    expect((await report(market.advertiser.key, `dimension=adUnit&id=${market.unitId}`)).status).toBe(404);
    expect((await report(market.publisher.key, `dimension=campaign&id=${campaignId}`)).status).toBe(404);
    expect((await report(market.admin, `dimension=campaign&id=${campaignId}`)).status).toBe(200);
    const bad = await call(app, 'GET', '/v1/reports?dimension=planet&id=x&from=yesterday', { key: market.advertiser.key });
    expect(bad.status).toBe(400);
    expect(bad.problem.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['dimension', 'from', 'id', 'to']);
  });
});
