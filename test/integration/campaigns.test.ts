import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { runJobs } from '../../functions/background/jobs.js';
import { campaignEndsJob } from '../../functions/background/campaign-ends.js';
import { createCampaign } from '../../functions/app/campaigns/create-campaign.js';
import { updateCampaign } from '../../functions/app/campaigns/update-campaign.js';
import { createApp } from '../../functions/http/app.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call, having, invalid, signup } from '../support/http.js';
import { aCampaign, aCreative, aMarket, anActiveCampaign, type Tenant } from '../support/campaigns.js';
import { ledgerState, total } from '../support/money.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let market: Awaited<ReturnType<typeof aMarket>>;

const wallet = async (who: Tenant) => having((await call(app, 'GET', '/v1/wallet', { key: who.key })).body.balances, 'heldMicros');

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
  market = await aMarket(app, deps, {}, 1_000_000_000);
});

describe('campaigns', () => {
  it('creates, reads, lists and edits a draft', async () => {
    const { advertiser } = market;
    const created = await call(app, 'POST', '/v1/campaigns', {
      key: advertiser.key,
      body: aCampaign(deps, { frequencyCap: { impressions: 3, perHours: 24 } }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', funded: false, advertiserId: advertiser.id, creatives: [] });
    const id = created.body.id;
    expect((await call(app, 'GET', `/v1/campaigns/${id}`, { key: advertiser.key })).body.name).toBe('Spring tea');
    expect((await call(app, 'GET', '/v1/campaigns', { key: advertiser.key })).body.items.map((c: { id: string }) => c.id)).toContain(id);
    const edited = await call(app, 'PATCH', `/v1/campaigns/${id}`, { key: advertiser.key, body: { name: 'Summer tea', budget: { dailyMicros: 10_000_000 } } });
    expect(edited.body).toMatchObject({ name: 'Summer tea', budget: { totalMicros: 100_000_000, dailyMicros: 10_000_000 } });
  });

  it('trims and checks what a caller passes the campaign use cases directly, as the API does', async () => {
    const created = await createCampaign(deps, market.advertiser.id, { ...aCampaign(deps), name: '  Autumn tea  ' });
    expect(created.name).toBe('Autumn tea');
    const edited = await updateCampaign(deps, market.advertiser.id, created.id, { name: '  Winter tea ' });
    expect(edited.name).toBe('Winter tea');
    await expect(updateCampaign(deps, market.advertiser.id, created.id, { name: '   ' })).rejects.toMatchObject({
      code: 'validation',
      errors: [{ field: 'name' }],
    });
  });

  it('activates only with an approved creative (409) and enough funds (402); the hold moves available → held', async () => {
    const { advertiser, admin } = market;
    const id = (await call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps) })).body.id;
    expect((await call(app, 'POST', `/v1/campaigns/${id}/activate`, { key: advertiser.key })).status).toBe(409);
    const creative = await call(app, 'POST', `/v1/campaigns/${id}/creatives`, { key: advertiser.key, body: aCreative() });
    expect(creative.body.review.status).toBe('pending');
    expect((await call(app, 'POST', `/v1/campaigns/${id}/activate`, { key: advertiser.key })).status).toBe(409);
    const rejected = await call(app, 'POST', `/v1/admin/creatives/${creative.body.id}/reject`, { key: admin, body: { reason: 'blurry' } });
    expect(rejected.body.review).toMatchObject({ status: 'rejected', reason: 'blurry' });
    await call(app, 'POST', `/v1/admin/creatives/${creative.body.id}/approve`, { key: admin, body: {} });

    const before = await wallet(advertiser);
    const active = await call(app, 'POST', `/v1/campaigns/${id}/activate`, { key: advertiser.key });
    expect(active.body).toMatchObject({ status: 'active', funded: true, creatives: [{ id: creative.body.id }] });
    const after = await wallet(advertiser);
    expect(after.availableMicros).toBe(before.availableMicros - 100_000_000);
    expect(after.heldMicros).toBe(before.heldMicros + 100_000_000);

    expect((await call(app, 'POST', `/v1/campaigns/${id}/pause`, { key: advertiser.key })).body.status).toBe('paused');
    expect((await call(app, 'POST', `/v1/campaigns/${id}/activate`, { key: advertiser.key })).body.status).toBe('active');
    expect((await wallet(advertiser)).heldMicros).toBe(after.heldMicros);
    expect((await call(app, 'PATCH', `/v1/campaigns/${id}`, { key: advertiser.key, body: { budget: { totalMicros: 5 } } })).status).toBe(409);

    // An edit sends the creative back to review and off the campaign.
    const edited = await call(app, 'PATCH', `/v1/campaigns/${id}/creatives/${creative.body.id}`, { key: advertiser.key, body: { title: 'Greener tea' } });
    expect(edited.body.review.status).toBe('pending');
    expect((await call(app, 'GET', `/v1/campaigns/${id}`, { key: advertiser.key })).body.creatives).toEqual([]);

    const archived = await call(app, 'POST', `/v1/campaigns/${id}/archive`, { key: advertiser.key });
    expect(archived.body).toMatchObject({ status: 'archived', funded: false });
    expect(await wallet(advertiser)).toMatchObject({ availableMicros: before.availableMicros, heldMicros: before.heldMicros });
  });

  it('refuses activation without the funds: 402, nothing held', async () => {
    const poor = await signup(app, 'advertiser');
    const id = (await call(app, 'POST', '/v1/campaigns', { key: poor.key, body: aCampaign(deps) })).body.id;
    const crv = await call(app, 'POST', `/v1/campaigns/${id}/creatives`, { key: poor.key, body: aCreative() });
    await call(app, 'POST', `/v1/admin/creatives/${crv.body.id}/approve`, { key: market.admin, body: {} });
    const res = await call(app, 'POST', `/v1/campaigns/${id}/activate`, { key: poor.key });
    expect(res.status).toBe(402);
    expect((await call(app, 'GET', `/v1/campaigns/${id}`, { key: poor.key })).body).toMatchObject({ status: 'draft', funded: false });
  });

  it('ends campaigns past their schedule from the jobs function and releases the rest', async () => {
    const { advertiser, admin } = market;
    const before = await wallet(advertiser);
    const id = await anActiveCampaign(app, deps, advertiser, admin);
    (deps.clock as MovableClock).advance(8 * 86_400_000);
    const report = await runJobs(deps, [campaignEndsJob]);
    expect(report.results[0]).toMatchObject({ job: 'campaign-ends', handled: 1 });
    expect((await call(app, 'GET', `/v1/campaigns/${id}`, { key: advertiser.key })).body.status).toBe('ended');
    expect(await wallet(advertiser)).toMatchObject(before);
    expect((await runJobs(deps, [campaignEndsJob])).results[0]?.handled).toBe(0);
    (deps.clock as MovableClock).advance(-8 * 86_400_000);
    const { stored, replayed } = await ledgerState(deps);
    expect(total(stored)).toBe(0);
    expect(stored).toEqual(replayed);
  });

  it('refuses the wrong role, other tenants and bad input', async () => {
    const { advertiser, publisher } = market;
    const other = await signup(app, 'advertiser');
    const id = (await call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps) })).body.id;
    expect((await call(app, 'POST', '/v1/campaigns', { key: publisher.key, body: aCampaign(deps) })).status).toBe(403);
    expect((await call(app, 'GET', `/v1/campaigns/${id}`, { key: other.key })).status).toBe(404);
    expect((await call(app, 'POST', `/v1/campaigns/${id}/activate`, { key: other.key })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/campaigns/${id}`)).status).toBe(401);
    expect((await call(app, 'POST', '/v1/admin/creatives/crv_nope/approve', { key: advertiser.key, body: {} })).status).toBe(403);
    const bad = await call(app, 'POST', '/v1/campaigns', {
      key: advertiser.key,
      body: invalid({ ...aCampaign(deps), bidding: { model: 'cpx', bidMicros: -1 }, targeting: [[{ attribute: 'shoeSize', op: 'in', values: ['42'] }]] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.problem.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['bidding.bidMicros', 'bidding.model', 'targeting.0.0.attribute']);
    const order = await call(app, 'POST', '/v1/campaigns', {
      key: advertiser.key,
      body: aCampaign(deps, { schedule: { start: '2030-01-02T00:00:00Z', end: '2030-01-01T00:00:00Z', timezone: 'Mars/Olympus' } }),
    });
    expect(order.status).toBe(400);
    expect(order.problem.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['schedule.end', 'schedule.timezone']);
  });

  it('locks the category of a funded campaign (409, nothing changes), while a draft may still change it', async () => {
    const { advertiser } = market;
    const draft = (await call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps) })).body;
    const other = draft.category === 'travel' ? 'food' : 'travel';
    expect((await call(app, 'PATCH', `/v1/campaigns/${draft.id}`, { key: advertiser.key, body: { category: other } })).body.category).toBe(other);

    const id = await anActiveCampaign(app, deps, advertiser, market.admin);
    const before = (await call(app, 'GET', `/v1/campaigns/${id}`, { key: advertiser.key })).body;
    const res = await call(app, 'PATCH', `/v1/campaigns/${id}`, { key: advertiser.key, body: { category: before.category === 'travel' ? 'food' : 'travel' } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await call(app, 'GET', `/v1/campaigns/${id}`, { key: advertiser.key })).body).toEqual(before);
    // The same category, or other fields, still go through.
    expect((await call(app, 'PATCH', `/v1/campaigns/${id}`, { key: advertiser.key, body: { category: before.category, name: 'Renamed' } })).status).toBe(200);
  });

  it('accepts only https creative images: javascript:, data:, file: and http: answer 400 and store nothing', async () => {
    const { advertiser } = market;
    const id = (await call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps) })).body.id;
    for (const imageUrl of [
      'javascript:alert(document.cookie)',
      'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
      'file:///etc/passwd',
      'http://cdn.example.com/a.png',
    ]) {
      const res = await call(app, 'POST', `/v1/campaigns/${id}/creatives`, { key: advertiser.key, body: aCreative({ imageUrl }) });
      expect(res.status, imageUrl).toBe(400);
      expect(res.problem.errors, imageUrl).toEqual([{ field: 'imageUrl', message: 'must be an https URL' }]);
    }
    expect((await call(app, 'GET', `/v1/campaigns/${id}/creatives`, { key: advertiser.key })).body.items).toEqual([]);
    const made = await call(app, 'POST', `/v1/campaigns/${id}/creatives`, {
      key: advertiser.key,
      body: aCreative({ imageUrl: 'https://cdn.example.com/a.png' }),
    });
    expect(made.status).toBe(201);
    const patched = await call(app, 'PATCH', `/v1/campaigns/${id}/creatives/${made.body.id}`, {
      key: advertiser.key,
      body: { imageUrl: 'javascript:alert(1)' },
    });
    expect(patched.status).toBe(400);
  });
});
