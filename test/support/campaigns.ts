import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { fingerprint } from '../../functions/core/serving/fingerprint.js';
import { trackingTokens } from '../../functions/core/serving/tracking.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import { keys } from '../../functions/store/keys.js';
import { depositToAdvertiser } from '../../functions/app/money/wallet.js';
import { adminKey, TEST_SECRET, type MovableClock } from './deps.js';
import { BROWSER_UA, call, type Having, type Invalid, type RequestBody, type ResponseBody, type Schemas, signup } from './http.js';

type App = ReturnType<typeof createApp>;
export interface Tenant {
  id: string;
  key: string;
}

const audience = {
  followers: 50_000,
  averageReads: 5_000,
  gender: { female: 0.5, male: 0.5 },
  ageBand: { '25-34': 0.5 },
  region: { 'CN-SH': 0.3 },
  interests: { technology: 0.4 },
};

/** A campaign body; the schedule runs from an hour ago for a week unless overridden. */
export function aCampaign(deps: Deps, overrides: Partial<Schemas['CampaignInput']> = {}): Schemas['CampaignInput'] {
  const now = deps.clock().getTime();
  return {
    name: 'Spring tea',
    category: 'food',
    bidding: { model: 'cpm', bidMicros: 5_000_000 },
    budget: { totalMicros: 100_000_000 },
    schedule: { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 7 * 86_400_000).toISOString(), timezone: 'Asia/Shanghai' },
    targeting: [],
    ...overrides,
  };
}

export const aCreative = (overrides: Partial<Schemas['CreativeInput']> = {}): Schemas['CreativeInput'] => ({
  title: 'Green tea',
  body: 'Fresh leaves',
  imageUrl: 'https://cdn.example.com/tea.png',
  landingUrl: 'https://tea.example.com/spring',
  callToAction: 'Buy',
  ...overrides,
});

/** A publisher with an account and an ad unit, an advertiser with funds, and the operator. */
export async function aMarket(app: App, deps: Deps, unit: Partial<Schemas['AdUnitInput']> = {}, fundsMicros = 10_000_000_000) {
  const [publisher, advertiser] = await Promise.all([signup(app, 'publisher'), signup(app, 'advertiser')]);
  const admin = await adminKey(deps);
  const account = await call(app, 'POST', '/v1/accounts', {
    key: publisher.key,
    body: { platform: 'wechat', handle: `h${Date.now()}`, name: 'Tea Daily', category: 'food', description: 'Tea', audience },
  });
  expect(account.status).toBe(201);
  const adUnit = await call(app, 'POST', `/v1/accounts/${account.body.id}/ad-units`, {
    key: publisher.key,
    body: { placement: 'in_article', floorCpmMicros: 1_000_000, ...unit },
  });
  expect(adUnit.status).toBe(201);
  if (fundsMicros > 0) await depositToAdvertiser(deps, { advertiserId: advertiser.id, amountMicros: fundsMicros, reference: 'test' });
  return { publisher, advertiser, admin, accountId: account.body.id as string, unitId: adUnit.body.id as string };
}

/** Creates a campaign with an approved creative and activates it; returns its id. */
export async function anActiveCampaign(
  app: App,
  deps: Deps,
  advertiser: Tenant,
  admin: string,
  overrides: Partial<Schemas['CampaignInput']> = {},
  creativeOverrides: Partial<Schemas['CreativeInput']> = {},
): Promise<string> {
  const created = await call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps, overrides) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  const creative = await call(app, 'POST', `/v1/campaigns/${id}/creatives`, { key: advertiser.key, body: aCreative(creativeOverrides) });
  expect((await call(app, 'POST', `/v1/admin/creatives/${creative.body.id}/approve`, { key: admin, body: {} })).status).toBe(200);
  const active = await call(app, 'POST', `/v1/campaigns/${id}/activate`, { key: advertiser.key });
  expect(active.status, JSON.stringify(active.body)).toBe(200);
  return id;
}

/** Targets one ad unit only, so tests sharing a table do not see each other's campaigns. */
export const onUnit = (unitId: string): Schemas['CampaignInput']['targeting'] => [[{ attribute: 'adUnitId', op: 'in', values: [unitId] }]];

type DecisionRequest = Exclude<RequestBody<'POST', '/v1/decisions'>, Invalid>;
/** A decision request for one unit, as a server or the image tag sends it. */
export type OneUnitRequest = Having<DecisionRequest, 'adUnitId'>;
/** A decision request for a page's placements, as the JavaScript tag sends it. */
export type PlacementsRequest = Having<DecisionRequest, 'placements'>;

type Decision = ResponseBody<'POST', '/v1/decisions'>;
/** The ad of a one-unit decision; throws when the answer has none (the test expected one). */
export function adOf(decision: Decision): NonNullable<Having<Decision, 'ad'>['ad']> {
  if (!('ad' in decision) || decision.ad === null) throw new Error(`expected an ad, got ${JSON.stringify(decision)}`);
  return decision.ad;
}

/** The path of a tracking URL, to request it from the serve app. */
export const urlPath = (url: string): string => new URL(url, 'http://x').pathname;

/**
 * A tracking URL requested as a browser that showed the ad would: with a user agent, the minimum
 * delay after its decision (the test clock moves on by it).
 */
export async function track(deps: Deps, serve: Pick<App, 'request'>, url: string): Promise<Response> {
  (deps.clock as MovableClock).advance(deps.config.MIN_IMPRESSION_DELAY_MS);
  return asBrowser(serve, url);
}

/** A tracking URL requested with a browser's user agent, now (tokens from `tokensFor` are old enough already). */
export async function asBrowser(serve: Pick<App, 'request'>, url: string): Promise<Response> {
  return serve.request(urlPath(url), { headers: { 'user-agent': BROWSER_UA } });
}

/** Tracking tokens as the serve engine signs them, for a decision made by a browser (BROWSER_UA) a while ago. */
export function tokensFor(deps: Deps, decision: Omit<Parameters<typeof trackingTokens>[0], 'decidedAt' | 'fingerprint'>, expiresAt: number) {
  const decidedAt = deps.clock().getTime() - deps.config.MIN_IMPRESSION_DELAY_MS;
  return trackingTokens(
    { ...decision, decidedAt, fingerprint: fingerprint({ address: undefined, userAgent: BROWSER_UA }, TEST_SECRET, decidedAt) },
    TEST_SECRET,
    expiresAt,
  );
}

export type Market = Awaited<ReturnType<typeof aMarket>>;

/** Another ad unit on the market's account. */
export async function aUnit(app: App, market: Market, body: Partial<Schemas['AdUnitInput']> = {}): Promise<string> {
  const res = await call(app, 'POST', `/v1/accounts/${market.accountId}/ad-units`, {
    key: market.publisher.key,
    body: { placement: 'in_article', floorCpmMicros: 1_000_000, ...body },
  });
  return res.body.id;
}

/** A table of its own, the management and serve apps over it, and a market. */
export async function serveWorld(deps: Deps) {
  const app = createApp(deps);
  const serve = createServeApp(deps);
  return { app, serve, market: await aMarket(app, deps) };
}

/** The budget a campaign has left once this instance has returned its leases and posted what it billed. */
export async function remainingBudget(deps: Deps, campaignId: string): Promise<number> {
  await serveEngine(deps).returnLeases();
  const out = await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: keys.campaignBudget(campaignId), ConsistentRead: true }));
  return out.Item?.remainingMicros as number;
}

/** The all-time report counters of one campaign, ad unit or account, once this instance has flushed its own. */
export async function reportTotals(deps: Deps, dimension: string, id: string): Promise<Record<string, number>> {
  await serveEngine(deps).flush();
  const out = await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: keys.report(dimension, id, 'TOTAL'), ConsistentRead: true }));
  return (out.Item ?? {}) as Record<string, number>;
}
