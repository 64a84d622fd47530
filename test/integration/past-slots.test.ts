import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { movableClock, testDeps, type MovableClock } from '../support/deps.js';
import { call, type Schemas, signup } from '../support/http.js';
import { aBrief, balance, fund } from '../support/orders.js';
import { scanEntity } from '../support/table.js';

/**
 * The clock stands at 2031-03-10 17:30 UTC, which is already 2031-03-11 01:30 in Asia/Shanghai,
 * the market's default time zone (MARKET_TIMEZONE): "today" is the 11th.
 */
const NOW = new Date('2031-03-10T17:30:00Z');
const DAY = 86_400_000;

let deps: Deps;
let clock: MovableClock;
let app: ReturnType<typeof createApp>;
let publisher: { id: string; key: string };
let advertiser: { id: string; key: string };

const audience = {
  followers: 50_000,
  averageReads: 5_000,
  gender: { female: 0.5, male: 0.5 },
  ageBand: { '25-34': 0.5 },
  region: { 'CN-SH': 0.3 },
  interests: { technology: 0.4 },
};
const slot = (overrides: Partial<Schemas['SlotCreate']>): Schemas['SlotCreate'] => ({
  position: 'headline',
  format: 'custom_article',
  priceMicros: 1_000_000,
  ...overrides,
});

async function anAccount(): Promise<string> {
  const res = await call(app, 'POST', '/v1/accounts', {
    key: publisher.key,
    body: { platform: 'wechat', handle: `h${Math.random()}`, name: 'Dated', category: 'food', description: '', audience },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  clock = movableClock();
  clock.set(NOW);
  deps = await testDeps({ clock });
  app = createApp(deps);
  [publisher, advertiser] = await Promise.all([signup(app, 'publisher'), signup(app, 'advertiser')]);
});

describe('slots dated before today in the market’s time zone', () => {
  it('are refused at creation with 400 naming the date, and nothing is listed', async () => {
    clock.set(NOW);
    const accountId = await anAccount();
    const create = (body: Schemas['SlotCreate']) => call(app, 'POST', `/v1/accounts/${accountId}/slots`, { key: publisher.key, body });
    const yesterday = await create(slot({ publishDate: '2031-03-10' })); // still today in UTC
    expect(yesterday.status).toBe(400);
    expect(yesterday.problem.errors?.[0]?.field).toBe('publishDate');
    const rule = await create(slot({ from: '2031-03-09', to: '2031-03-20', weekdays: [1, 3, 5] }));
    expect(rule.status).toBe(400);
    expect(rule.problem.errors?.[0]?.field).toBe('from');
    expect((await call(app, 'GET', `/v1/accounts/${accountId}/slots`, { key: publisher.key })).body.items).toEqual([]);
    expect((await create(slot({ publishDate: '2031-03-11' }))).status).toBe(201);
  });

  it('are refused when an edit moves a slot there, with 400 naming publishDate, and the slot keeps its date', async () => {
    clock.set(NOW);
    const accountId = await anAccount();
    const created = await call(app, 'POST', `/v1/accounts/${accountId}/slots`, { key: publisher.key, body: slot({ publishDate: '2031-03-12' }) });
    const slotId = created.body.items[0]!.id;
    const moved = await call(app, 'PATCH', `/v1/slots/${slotId}`, { key: publisher.key, body: { publishDate: '2031-03-10' } }); // still today in UTC
    expect(moved.status).toBe(400);
    expect(moved.headers.get('content-type')).toContain('application/problem+json');
    expect(moved.problem.errors?.[0]?.field).toBe('publishDate');
    expect((await call(app, 'GET', `/v1/slots/${slotId}`, { key: publisher.key })).body.publishDate).toBe('2031-03-12');
    const today = await call(app, 'PATCH', `/v1/slots/${slotId}`, { key: publisher.key, body: { publishDate: '2031-03-11' } });
    expect(today.status).toBe(200);
    expect(today.body.publishDate).toBe('2031-03-11');
  });

  it('are refused at booking with 409, holding nothing', async () => {
    clock.set(NOW);
    const accountId = await anAccount();
    const created = await call(app, 'POST', `/v1/accounts/${accountId}/slots`, { key: publisher.key, body: slot({ publishDate: '2031-03-12' }) });
    const slotId = created.body.items[0]!.id;
    await fund(deps, advertiser.id, 5_000_000);
    clock.set(new Date(NOW.getTime() + 2 * DAY)); // the 13th in Shanghai
    const res = await call(app, 'POST', '/v1/orders', { key: advertiser.key, body: { slotId, brief: aBrief } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await balance(deps, `advertiser:${advertiser.id}:held`)).toBe(0);
    expect((await scanEntity(deps, 'order')).filter((o) => o.slotId === slotId)).toEqual([]);
  });

  it('are never shown as open by search or match', async () => {
    clock.set(NOW);
    const accountId = await anAccount();
    for (const publishDate of ['2031-03-12', '2031-03-20']) {
      expect((await call(app, 'POST', `/v1/accounts/${accountId}/slots`, { key: publisher.key, body: slot({ publishDate }) })).status).toBe(201);
    }
    clock.set(new Date(NOW.getTime() + 4 * DAY)); // the 15th in Shanghai: the 12th is past
    const search = await call(app, 'GET', '/v1/marketplace/accounts?limit=100', { key: advertiser.key });
    const hit = search.body.items.find((h: { account: { id: string } }) => h.account.id === accountId);
    expect(hit?.openSlots).toEqual({ count: 1, fromPriceMicros: 1_000_000, nextDate: '2031-03-20', slotIds: [expect.any(String)] });
    const inPast = await call(app, 'GET', '/v1/marketplace/accounts?availableFrom=2031-03-01&availableTo=2031-03-14', { key: advertiser.key });
    expect(inPast.body.items.map((h: { account: { id: string } }) => h.account.id)).not.toContain(accountId);
    const match = await call(app, 'POST', '/v1/marketplace/match', {
      key: advertiser.key,
      body: { targeting: {}, dateFrom: '2031-03-01', dateTo: '2031-03-31' },
    });
    expect(match.status).toBe(200);
    const dates = match.body.results
      .filter((r: { slot: { accountId: string } }) => r.slot.accountId === accountId)
      .map((r: { slot: { publishDate: string } }) => r.slot.publishDate);
    expect(dates).toEqual(['2031-03-20']);
  });
});
