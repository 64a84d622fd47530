import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { aCampaign } from '../support/campaigns.js';
import { adminKey, testDeps } from '../support/deps.js';
import { call, type Schemas, signup } from '../support/http.js';
import { openApiDocument } from '../support/openapi-document.js';
import { scanEntity } from '../support/table.js';

/** The documented maximum of every amount and balance (README: Money): 10^15 micros. */
const MAX = 10 ** 15;

let deps: Deps;
let app: ReturnType<typeof createApp>;
let admin: string;
let advertiser: { id: string; key: string };
let publisher: { id: string; key: string };
let accountId: string;

const audience = {
  followers: 50_000,
  averageReads: 5_000,
  gender: { female: 0.5, male: 0.5 },
  ageBand: { '25-34': 0.5 },
  region: { 'CN-SH': 0.3 },
  interests: { technology: 0.4 },
};
const deposit = (advertiserId: string, amountMicros: number) =>
  call(app, 'POST', '/v1/admin/deposits', {
    key: admin,
    body: { advertiserId, amountMicros, reference: 'wire' },
    headers: { 'idempotency-key': `dep-${Math.random()}` },
  });

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
  admin = await adminKey(deps);
  [advertiser, publisher] = await Promise.all([signup(app, 'advertiser'), signup(app, 'publisher')]);
  const account = await call(app, 'POST', '/v1/accounts', {
    key: publisher.key,
    body: { platform: 'wechat', handle: 'limits', name: 'Limits', category: 'food', description: '', audience },
  });
  accountId = account.body.id;
});

describe('money amounts', () => {
  /** Each money input of each route, with a body that is valid but for the amount. */
  const inputs: { name: string; field: string; send: (amount: number) => Promise<{ status: number; problem: Schemas['Problem'] }> }[] = [
    { name: 'a deposit', field: 'amountMicros', send: (a) => deposit(advertiser.id, a) },
    { name: 'a payout', field: 'amountMicros', send: (a) => call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: a } }) },
    {
      name: 'a campaign bid',
      field: 'bidding.bidMicros',
      send: (a) => call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps, { bidding: { model: 'cpm', bidMicros: a } }) }),
    },
    {
      name: 'a campaign budget',
      field: 'budget.totalMicros',
      send: (a) => call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps, { budget: { totalMicros: a } }) }),
    },
    {
      name: 'a daily budget',
      field: 'budget.dailyMicros',
      send: (a) => call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps, { budget: { totalMicros: 1_000_000, dailyMicros: a } }) }),
    },
    {
      name: 'a slot price',
      field: 'priceMicros',
      send: (a) =>
        call(app, 'POST', `/v1/accounts/${accountId}/slots`, {
          key: publisher.key,
          body: { publishDate: '2031-05-01', position: 'headline', format: 'custom_article', priceMicros: a },
        }),
    },
    {
      name: 'an ad-unit floor',
      field: 'floorCpmMicros',
      send: (a) => call(app, 'POST', `/v1/accounts/${accountId}/ad-units`, { key: publisher.key, body: { placement: 'in_article', floorCpmMicros: a } }),
    },
    {
      name: 'a dispute refund',
      field: 'refundMicros',
      send: (a) => call(app, 'POST', '/v1/orders/ord_none/resolve', { key: admin, body: { outcome: 'partial', refundMicros: a } }),
    },
    { name: 'a search price', field: 'maxPriceMicros', send: (a) => call(app, 'GET', `/v1/marketplace/accounts?maxPriceMicros=${a}`, { key: advertiser.key }) },
    {
      name: 'a match budget',
      field: 'budgetMicros',
      send: (a) =>
        call(app, 'POST', '/v1/marketplace/match', {
          key: advertiser.key,
          body: { targeting: {}, dateFrom: '2031-01-01', dateTo: '2031-01-07', budgetMicros: a },
        }),
    },
  ];

  for (const input of inputs) {
    it(`refuses ${input.name} above ${MAX} micros with 400 naming the field`, async () => {
      const res = await input.send(MAX + 1);
      expect(res.status).toBe(400);
      expect(res.problem.errors?.map((e: { field: string }) => e.field)).toContain(input.field);
    });
  }

  it('documents the maximum in the OpenAPI document, the same on every money input', async () => {
    const doc = await openApiDocument(app);
    const maxima: unknown[] = [];
    const isNode = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object';
    const walk = (node: unknown): void => {
      if (!isNode(node)) return;
      for (const [k, v] of Object.entries(node)) {
        if (!isNode(v)) continue;
        if (k.endsWith('Micros') && v.maximum !== undefined) maxima.push(v.maximum);
        if (String(v.name).endsWith('Micros') && isNode(v.schema) && v.schema.maximum !== undefined) maxima.push(v.schema.maximum);
        walk(v);
      }
    };
    walk(doc);
    expect(new Set(maxima)).toEqual(new Set([MAX]));
    const schemas = doc.components.schemas;
    expect(schemas.DepositInput?.properties?.amountMicros?.maximum).toBe(MAX);
    expect(schemas.PayoutInput?.properties?.amountMicros?.maximum).toBe(MAX);
    expect(schemas.SlotCreate?.properties?.priceMicros?.maximum).toBe(MAX);
  });
});

describe('balances', () => {
  it('hold up to the maximum and refuse a deposit past it with 409, moving nothing; the wallet still answers', async () => {
    const rich = await signup(app, 'advertiser');
    expect((await deposit(rich.id, MAX - 1)).status).toBe(201);
    expect((await deposit(rich.id, 1)).status).toBe(201);
    const linesBefore = (await scanEntity(deps, 'ledgerLine')).length;
    const over = await deposit(rich.id, 1);
    expect(over.status).toBe(409);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.problem.maxMicros).toBe(MAX);
    expect((await scanEntity(deps, 'ledgerLine')).length).toBe(linesBefore);
    const wallet = await call(app, 'GET', '/v1/wallet', { key: rich.key });
    expect(wallet.status).toBe(200);
    expect(wallet.body.balances).toEqual({ availableMicros: MAX, heldMicros: 0 });
    const platform = await call(app, 'GET', '/v1/wallet', { key: admin });
    expect(platform.status).toBe(200);
  });
});
