import { beforeAll, describe, expect, it } from 'vitest';
import type { OrderState } from '../../functions/core/orders/order.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { adminKey, testDeps } from '../support/deps.js';
import { call, invalid, type RequestBody, type Schemas, signup } from '../support/http.js';
import { aBrief, type ApiOrderAction, fund, placeOrder, PRICE, slotsOf } from '../support/orders.js';
import { everything } from '../support/table.js';

/**
 * Every order endpoint refuses the wrong role (403), another tenant's order (404), bad input (400)
 * and a missing key (401) with problem+json, and the table is exactly as it was afterwards.
 */

let deps: Deps;
let app: ReturnType<typeof createApp>;
type Party = { id: string; key: string };
let admin: Party;
let advertiser: Party, otherAdvertiser: Party, publisher: Party, otherPublisher: Party;
let slotIds: string[];

type ActionBody = RequestBody<'POST', `/v1/orders/${string}/${ApiOrderAction}`>;
const act = (key: string, id: string, action: ApiOrderAction, body?: ActionBody) => call(app, 'POST', `/v1/orders/${id}/${action}`, { key, body });

/** The steps that take a custom article order to each state, by its rightful parties. */
const PATH: ReadonlyArray<{ to: OrderState; action: ApiOrderAction; by: () => Party; body?: ActionBody }> = [
  { to: 'accepted', action: 'accept', by: () => publisher },
  { to: 'in_review', action: 'submit-draft', by: () => publisher, body: { content: 'Draft' } },
  { to: 'scheduled', action: 'approve', by: () => advertiser },
  { to: 'published', action: 'publish', by: () => publisher, body: { postUrl: 'https://mp.example.com/s/1', publishedAt: '2020-01-01T00:00:00Z' } },
  { to: 'disputed', action: 'dispute', by: () => advertiser, body: { reason: 'no post' } },
];

async function orderIn(state: OrderState): Promise<string> {
  const order = await placeOrder(app, advertiser.key, slotIds.pop()!);
  for (const step of PATH.slice(0, PATH.findIndex((s) => s.to === state) + 1)) {
    const res = await act(step.by().key, order.id, step.action, step.body);
    if (res.status !== 200) throw new Error(`${step.action}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return order.id;
}

/** The whole table but the per-request idempotency records: what a refused request must not change. */
async function snapshot(): Promise<string> {
  const items = await everything(deps);
  items.delete('idempotency');
  return JSON.stringify([...items].sort(([a], [b]) => a.localeCompare(b)));
}

async function expectRefused(request: () => Promise<{ status: number; headers: Headers; problem: Schemas['Problem'] }>, status: number): Promise<void> {
  const before = await snapshot();
  const res = await request();
  expect(res.status, JSON.stringify(res.problem)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(await snapshot()).toBe(before);
}

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
  [advertiser, otherAdvertiser, publisher, otherPublisher] = await Promise.all([
    signup(app, 'advertiser'),
    signup(app, 'advertiser'),
    signup(app, 'publisher'),
    signup(app, 'publisher'),
  ]);
  admin = { id: 'admin', key: await adminKey(deps) };
  slotIds = (await slotsOf(deps, publisher.id, 12, { format: 'custom_article' })).map((s) => s.id);
  await fund(deps, advertiser.id, 20 * PRICE);
});

/** Each action: a state it is legal in, who may take it, who may not, and an input it refuses. */
const ACTIONS = [
  {
    action: 'accept',
    from: 'requested',
    body: undefined,
    bad: { note: 42 },
    right: () => publisher,
    wrong: () => [advertiser, admin],
    stranger: () => otherPublisher,
  },
  {
    action: 'reject',
    from: 'requested',
    body: { reason: 'no' },
    bad: { reason: '' },
    right: () => publisher,
    wrong: () => [advertiser, admin],
    stranger: () => otherPublisher,
  },
  {
    action: 'cancel',
    from: 'requested',
    body: undefined,
    bad: { reason: ['x'] },
    right: () => advertiser,
    wrong: () => [publisher, admin],
    stranger: () => otherAdvertiser,
  },
  {
    action: 'submit-draft',
    from: 'accepted',
    body: { content: 'Draft' },
    bad: { previewUrl: 'https://p.example.com' },
    right: () => publisher,
    wrong: () => [advertiser, admin],
    stranger: () => otherPublisher,
  },
  {
    action: 'approve',
    from: 'in_review',
    body: undefined,
    bad: { note: '' },
    right: () => advertiser,
    wrong: () => [publisher, admin],
    stranger: () => otherAdvertiser,
  },
  {
    action: 'request-changes',
    from: 'in_review',
    body: { note: 'shorter' },
    bad: { note: 7 },
    right: () => advertiser,
    wrong: () => [publisher, admin],
    stranger: () => otherAdvertiser,
  },
  {
    action: 'publish',
    from: 'scheduled',
    body: { postUrl: 'https://mp.example.com/s/2', publishedAt: '2020-01-01T00:00:00Z' },
    bad: { postUrl: 'javascript:alert(1)', publishedAt: 'yesterday', reads: -1 },
    right: () => publisher,
    wrong: () => [advertiser, admin],
    stranger: () => otherPublisher,
  },
  {
    action: 'confirm',
    from: 'published',
    body: undefined,
    bad: { note: false },
    right: () => advertiser,
    wrong: () => [publisher, admin],
    stranger: () => otherAdvertiser,
  },
  {
    action: 'dispute',
    from: 'published',
    body: { reason: 'no post' },
    bad: {},
    right: () => advertiser,
    wrong: () => [publisher, admin],
    stranger: () => otherAdvertiser,
  },
  {
    action: 'resolve',
    from: 'disputed',
    body: { outcome: 'refund' },
    bad: { outcome: 'maybe', refundMicros: -5 },
    right: () => admin,
    wrong: () => [advertiser, publisher],
    stranger: undefined,
  },
] as const;

describe.each(ACTIONS)('POST /v1/orders/{id}/$action', (a) => {
  let id: string;
  beforeAll(async () => {
    id = await orderIn(a.from);
  });

  it('refuses the wrong role with 403', async () => {
    for (const party of a.wrong()) await expectRefused(() => act(party.key, id, a.action, a.body), 403);
  });

  // Operators may act on any order, so `resolve` has no stranger to refuse.
  const stranger = a.stranger;
  if (stranger) {
    it('answers 404 to a tenant the order is not for', async () => {
      await expectRefused(() => act(stranger().key, id, a.action, a.body), 404);
    });
  }

  it('refuses bad input with 400, a missing key with 401, and an unknown order with 404', async () => {
    await expectRefused(() => act(a.right().key, id, a.action, invalid(a.bad)), 400);
    await expectRefused(() => call(app, 'POST', `/v1/orders/${id}/${a.action}`, { body: a.body }), 401);
    await expectRefused(() => act(a.right().key, 'ord_missing', a.action, a.body), 404);
  });

  it('lets the rightful party do it (the refusals were not about the state)', async () => {
    expect((await act(a.right().key, id, a.action, a.body)).status).toBe(200);
  });
});

describe('POST /v1/orders', () => {
  it('refuses publishers and operators (403), bad input (400) and no key (401)', async () => {
    const body = { slotId: slotIds[0]!, brief: aBrief };
    for (const party of [publisher, admin]) await expectRefused(() => call(app, 'POST', '/v1/orders', { key: party.key, body }), 403);
    await expectRefused(
      () => call(app, 'POST', '/v1/orders', { key: advertiser.key, body: { slotId: slotIds[0]!, brief: { ...aBrief, landingUrl: 'ftp://x', title: '' } } }),
      400,
    );
    await expectRefused(() => call(app, 'POST', '/v1/orders', { key: advertiser.key, body: invalid({ brief: aBrief }) }), 400);
    await expectRefused(() => call(app, 'POST', '/v1/orders', { body }), 401);
  });
});

describe('GET /v1/orders and /v1/orders/{id}', () => {
  it('answers 404 for another tenant’s order and lists only the caller’s own', async () => {
    const id = await orderIn('requested');
    for (const party of [otherAdvertiser, otherPublisher]) {
      await expectRefused(() => call(app, 'GET', `/v1/orders/${id}`, { key: party.key }), 404);
      expect((await call(app, 'GET', '/v1/orders', { key: party.key })).body.items).toEqual([]);
    }
    expect((await call(app, 'GET', `/v1/orders/${id}`, { key: admin.key })).status).toBe(200);
  });

  it('refuses a bad state filter or cursor (400), an operator’s list of anything but disputes (400), and no key (401)', async () => {
    await expectRefused(() => call(app, 'GET', '/v1/orders?state=requested', { key: admin.key }), 400);
    await expectRefused(() => call(app, 'GET', '/v1/orders?state=lost', { key: advertiser.key }), 400);
    await expectRefused(() => call(app, 'GET', '/v1/orders?cursor=nope', { key: advertiser.key }), 400);
    await expectRefused(() => call(app, 'GET', '/v1/orders'), 401);
    await expectRefused(() => call(app, 'GET', '/v1/orders/ord_x'), 401);
  });
});
