import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleStream } from '../../functions/background/stream.js';
import { deliveryRunner } from '../../functions/background/webhooks.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { markExhausted } from '../../functions/app/campaigns/mark-exhausted.js';
import { getItem } from '../../functions/store/items.js';
import { keys } from '../../functions/store/keys.js';
import { streamRecord } from '../fixtures/events.js';
import { aCampaign, aCreative, aMarket } from '../support/campaigns.js';
import { adminKey, movableClock, testDeps, type MovableClock } from '../support/deps.js';
import { call, signup } from '../support/http.js';
import { seedEarnings } from '../support/money.js';
import { fund, slotsOf } from '../support/orders.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

/** The API gaps the console needs (issue 12), through the real app and DynamoDB Local. */

let deps: Deps;
let app: ReturnType<typeof createApp>;
let clock: MovableClock;
let admin: string;
let receiver: Receiver;
let sequence = 0;

beforeAll(async () => {
  clock = movableClock();
  deps = await testDeps({ clock });
  app = createApp(deps);
  admin = await adminKey(deps);
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

async function itemCount(): Promise<number> {
  const out = await deps.db.doc.send(new ScanCommand({ TableName: deps.db.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

/** Runs the stream handler over a write of `key` (before → after), as the table's stream would, then the webhook delivery runner (the stream only enqueues). */
async function streamed(key: { pk: string; sk: string }, before: Record<string, unknown>): Promise<void> {
  const after = (await getItem<Record<string, unknown>>(deps.db, key, { consistent: true }))!;
  sequence += 1;
  expect(await handleStream(deps, [streamRecord('MODIFY', after, String(sequence).padStart(12, '0'), before)])).toEqual({ batchItemFailures: [] });
  await deliveryRunner(deps).run(60_000);
}

const received = (type: string) => receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { id: string } }).filter((b) => b.type === type);

async function aCampaignWithCreative(advertiserKey: string, overrides: Record<string, unknown> = {}) {
  const campaign = await call(app, 'POST', '/v1/campaigns', { key: advertiserKey, body: aCampaign(deps, overrides) });
  const creative = await call(app, 'POST', `/v1/campaigns/${campaign.body.id}/creatives`, { key: advertiserKey, body: aCreative() });
  return { campaignId: campaign.body.id as string, creativeId: creative.body.id as string };
}

describe('operator queues and reads', () => {
  it('queues a new account until it is verified, and tells the owner’s webhook', async () => {
    const market = await aMarket(app, deps, {}, 0);
    await call(app, 'POST', '/v1/webhooks', { key: market.publisher.key, body: { url: receiver.url, events: ['account.verified', 'account.rejected'] } });
    const queue = await call(app, 'GET', '/v1/admin/queues/accounts?limit=100', { key: admin });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((a: { id: string }) => a.id)).toContain(market.accountId);
    const read = await call(app, 'GET', `/v1/admin/accounts/${market.accountId}`, { key: admin });
    expect(read.body).toMatchObject({ id: market.accountId, ownerTenantId: market.publisher.id, verification: { status: 'unverified' } });

    const before = (await getItem<Record<string, unknown>>(deps.db, keys.account(market.accountId), { consistent: true }))!;
    expect((await call(app, 'POST', `/v1/admin/accounts/${market.accountId}/verify`, { key: admin, body: {} })).status).toBe(200);
    const after = await call(app, 'GET', '/v1/admin/queues/accounts?limit=100', { key: admin });
    expect(after.body.items.map((a: { id: string }) => a.id)).not.toContain(market.accountId);
    expect((await call(app, 'GET', `/v1/accounts/${market.accountId}`, { key: market.publisher.key })).body).not.toHaveProperty('notify');

    await streamed(keys.account(market.accountId), before);
    expect(received('account.verified').map((b) => b.data.id)).toEqual([market.accountId]);
  });

  it('queues a creative until it is reviewed, and tells the advertiser’s webhook the verdict', async () => {
    const advertiser = await signup(app, 'advertiser');
    await call(app, 'POST', '/v1/webhooks', { key: advertiser.key, body: { url: receiver.url, events: ['creative.approved', 'creative.rejected'] } });
    const { campaignId, creativeId } = await aCampaignWithCreative(advertiser.key);
    const queued = await call(app, 'GET', '/v1/admin/queues/creatives?limit=100', { key: admin });
    expect(queued.body.items.map((c: { id: string }) => c.id)).toContain(creativeId);
    expect((await call(app, 'GET', `/v1/admin/creatives/${creativeId}`, { key: admin })).body).toMatchObject({
      id: creativeId,
      campaignId,
      review: { status: 'pending' },
    });

    const before = (await getItem<Record<string, unknown>>(deps.db, keys.creative(campaignId, creativeId), { consistent: true }))!;
    expect((await call(app, 'POST', `/v1/admin/creatives/${creativeId}/reject`, { key: admin, body: { reason: 'Blurry' } })).status).toBe(200);
    expect((await call(app, 'GET', '/v1/admin/queues/creatives?limit=100', { key: admin })).body.items.map((c: { id: string }) => c.id)).not.toContain(
      creativeId,
    );
    await streamed(keys.creative(campaignId, creativeId), before);
    expect(received('creative.rejected').map((b) => b.data.id)).toEqual([creativeId]);
  });

  it('is for operators only: others get 403, unknown ids 404', async () => {
    const publisher = await signup(app, 'publisher');
    for (const path of [
      '/v1/admin/queues/accounts',
      '/v1/admin/queues/creatives',
      '/v1/admin/accounts/acct_x',
      '/v1/admin/creatives/crv_x',
      '/v1/admin/deposits',
    ] as const) {
      expect((await call(app, 'GET', path, { key: publisher.key })).status, path).toBe(403);
    }
    expect((await call(app, 'GET', '/v1/admin/accounts/acct_unknown', { key: admin })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/admin/creatives/crv_unknown', { key: admin })).status).toBe(404);
  });
});

describe('marketplace reads for advertisers', () => {
  it('shows an account’s page, its open slots with ids and prices, and each slot by id', async () => {
    const publisher = await signup(app, 'publisher');
    const advertiser = await signup(app, 'advertiser');
    const [open, closed] = await slotsOf(deps, publisher.id, 2);
    expect((await call(app, 'PATCH', `/v1/slots/${closed!.id}`, { key: publisher.key, body: { status: 'closed' } })).status).toBe(200);

    const page = await call(app, 'GET', `/v1/marketplace/accounts/${open!.accountId}`, { key: advertiser.key });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ id: open!.accountId, verification: { status: 'unverified' } });
    expect(page.body).not.toHaveProperty('ownerTenantId');
    const slots = await call(app, 'GET', `/v1/marketplace/accounts/${open!.accountId}/slots`, { key: advertiser.key });
    expect(slots.body.items.map((s: { id: string; priceMicros: number }) => [s.id, s.priceMicros])).toEqual([[open!.id, open!.priceMicros]]);

    const one = await call(app, 'GET', `/v1/slots/${open!.id}`, { key: advertiser.key });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: open!.id, status: 'open', priceMicros: open!.priceMicros });
    expect((await call(app, 'GET', `/v1/slots/${closed!.id}`, { key: advertiser.key })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/slots/${closed!.id}`, { key: publisher.key })).body.status).toBe('closed');
    expect((await call(app, 'GET', '/v1/slots/slot_unknown', { key: advertiser.key })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/marketplace/accounts/acct_unknown/slots', { key: advertiser.key })).status).toBe(404);
  });
});

describe('campaign budgets', () => {
  it('shows spent and remaining, and tops up a funded campaign once per Idempotency-Key, moving money on the ledger', async () => {
    const advertiser = await signup(app, 'advertiser');
    await fund(deps, advertiser.id, 500_000_000);
    const { campaignId, creativeId } = await aCampaignWithCreative(advertiser.key);
    const draft = await call(app, 'GET', `/v1/campaigns/${campaignId}`, { key: advertiser.key });
    expect(draft.body).toMatchObject({ spentMicros: 0, remainingMicros: 100_000_000 });
    expect(
      (
        await call(app, 'POST', `/v1/campaigns/${campaignId}/top-up`, {
          key: advertiser.key,
          body: { amountMicros: 1 },
          headers: { 'idempotency-key': 'draft' },
        })
      ).status,
    ).toBe(409);

    await call(app, 'POST', `/v1/admin/creatives/${creativeId}/approve`, { key: admin, body: {} });
    expect((await call(app, 'POST', `/v1/campaigns/${campaignId}/activate`, { key: advertiser.key })).status).toBe(200);
    // 30 units billed: the budget item counts down as billing does.
    await deps.db.doc.send(
      new UpdateCommand({
        TableName: deps.db.tableName,
        Key: keys.campaignBudget(campaignId),
        UpdateExpression: 'SET remainingMicros = remainingMicros - :c',
        ExpressionAttributeValues: { ':c': 30_000_000 },
      }),
    );
    expect((await call(app, 'GET', '/v1/campaigns', { key: advertiser.key })).body.items[0]).toMatchObject({
      id: campaignId,
      spentMicros: 30_000_000,
      remainingMicros: 70_000_000,
    });

    const topUp = (key: string, amountMicros: number) =>
      call(app, 'POST', `/v1/campaigns/${campaignId}/top-up`, { key: advertiser.key, body: { amountMicros }, headers: { 'idempotency-key': key } });
    const first = await topUp('more-1', 50_000_000);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ budget: { totalMicros: 150_000_000 }, spentMicros: 30_000_000, remainingMicros: 120_000_000 });
    expect((await topUp('more-1', 50_000_000)).headers.get('idempotent-replayed')).toBe('true');
    const wallet = await call(app, 'GET', '/v1/wallet', { key: advertiser.key });
    // 500 deposited − 100 held at activation − 50 topped up (once); the stand-in billing above moved no money.
    expect(wallet.body.balances).toEqual({ availableMicros: 350_000_000, heldMicros: 150_000_000 });

    const other = await signup(app, 'advertiser');
    const before = await itemCount();
    expect((await topUp('too-much', 400_000_000)).status).toBe(402);
    expect((await call(app, 'POST', `/v1/campaigns/${campaignId}/top-up`, { key: advertiser.key, body: { amountMicros: 10 } })).status).toBe(400);
    expect((await topUp('negative', -5)).status).toBe(400);
    expect(
      (await call(app, 'POST', `/v1/campaigns/${campaignId}/top-up`, { key: other.key, body: { amountMicros: 10 }, headers: { 'idempotency-key': 'other' } }))
        .status,
    ).toBe(404);
    expect(await itemCount()).toBe(before);
    expect((await call(app, 'GET', '/v1/wallet', { key: advertiser.key })).body.balances).toEqual(wallet.body.balances);
  });

  it('refuses to top up a draft with a 409 naming its state', async () => {
    const advertiser = await signup(app, 'advertiser');
    await fund(deps, advertiser.id, 500_000_000);
    const { campaignId } = await aCampaignWithCreative(advertiser.key);
    const refused = await call(app, 'POST', `/v1/campaigns/${campaignId}/top-up`, {
      key: advertiser.key,
      body: { amountMicros: 1 },
      headers: { 'idempotency-key': 'draft-state' },
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    // Every 409 names the object's state in `state` (the Problem schema); the draft was never activated.
    expect(refused.body).toMatchObject({ status: 409, state: 'draft' });
  });

  it('tells the advertiser when the budget is spent, and a top-up makes the campaign serve again', async () => {
    const advertiser = await signup(app, 'advertiser');
    await fund(deps, advertiser.id, 500_000_000);
    await call(app, 'POST', '/v1/webhooks', { key: advertiser.key, body: { url: receiver.url, events: ['campaign.budget_spent'] } });
    const { campaignId, creativeId } = await aCampaignWithCreative(advertiser.key);
    await call(app, 'POST', `/v1/admin/creatives/${creativeId}/approve`, { key: admin, body: {} });
    await call(app, 'POST', `/v1/campaigns/${campaignId}/activate`, { key: advertiser.key });
    const before = (await getItem<Record<string, unknown>>(deps.db, keys.campaign(campaignId), { consistent: true }))!;
    await markExhausted(deps, campaignId);
    await streamed(keys.campaign(campaignId), before);
    expect(received('campaign.budget_spent').map((b) => b.data.id)).toEqual([campaignId]);

    const topped = await call(app, 'POST', `/v1/campaigns/${campaignId}/top-up`, {
      key: advertiser.key,
      body: { amountMicros: 10_000_000 },
      headers: { 'idempotency-key': 'refill' },
    });
    expect(topped.body.status).toBe('active');
  });
});

describe('ledger filters and running balance', () => {
  it('filters by time and cause and gives the balances after each line, across pages', async () => {
    const advertiser = await signup(app, 'advertiser');
    const start = clock();
    const hour = 3_600_000;
    for (const amount of [100, 50, 25]) {
      await fund(deps, advertiser.id, amount * 1_000_000);
      clock.advance(hour);
    }
    const { campaignId, creativeId } = await aCampaignWithCreative(advertiser.key, { budget: { totalMicros: 30_000_000 } });
    await call(app, 'POST', `/v1/admin/creatives/${creativeId}/approve`, { key: admin, body: {} });
    await call(app, 'POST', `/v1/campaigns/${campaignId}/activate`, { key: advertiser.key });

    const ledger = async (query: string) => {
      const res = await call(app, 'GET', `/v1/wallet/ledger?${query}`, { key: advertiser.key });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { items: { cause: { type: string }; balancesAfter: Record<string, number> }[]; nextCursor?: string };
    };
    const M = 1_000_000;
    // By hand, newest first: hold 30 → 145/30; deposit 25 → 175/0; deposit 50 → 150/0; deposit 100 → 100/0.
    const all = await ledger('limit=10');
    expect(all.items.map((l) => [l.cause.type, l.balancesAfter.availableMicros, l.balancesAfter.heldMicros])).toEqual([
      ['campaign', 145 * M, 30 * M],
      ['deposit', 175 * M, 0],
      ['deposit', 150 * M, 0],
      ['deposit', 100 * M, 0],
    ]);
    const first = await ledger('limit=2&cause=deposit');
    expect(first.items.map((l) => l.balancesAfter.availableMicros)).toEqual([175 * M, 150 * M]);
    const second = await ledger(`limit=2&cause=deposit&cursor=${first.nextCursor}`);
    expect(second.items.map((l) => l.balancesAfter.availableMicros)).toEqual([100 * M]);
    const from = new Date(start.getTime() + hour / 2).toISOString();
    const to = new Date(start.getTime() + hour + hour / 2).toISOString();
    expect((await ledger(`from=${from}&to=${to}`)).items.map((l) => l.balancesAfter.availableMicros)).toEqual([150 * M]);
  });

  it('answers bad filters and cursors with 400', async () => {
    const advertiser = await signup(app, 'advertiser');
    for (const query of [
      'cause=bonus',
      'from=yesterday',
      'cursor=bm90LWEtY3Vyc29y',
      `cursor=${Buffer.from(JSON.stringify({ after: 'x', running: { a: 'lots' } })).toString('base64url')}`,
    ]) {
      const res = await call(app, 'GET', `/v1/wallet/ledger?${query}`, { key: advertiser.key });
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('single reads and the deposit list', () => {
  it('reads one payout: the publisher’s own, any for an operator, 404 for others', async () => {
    const [publisher, other, advertiser] = await Promise.all([signup(app, 'publisher'), signup(app, 'publisher'), signup(app, 'advertiser')]);
    await seedEarnings(deps, advertiser.id, publisher.id, 100_000_000);
    const payout = await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 10_000_000 } });
    expect(payout.status).toBe(201);
    expect((await call(app, 'GET', `/v1/payouts/${payout.body.id}`, { key: publisher.key })).body).toEqual(payout.body);
    expect((await call(app, 'GET', `/v1/payouts/${payout.body.id}`, { key: admin })).body).toEqual(payout.body);
    expect((await call(app, 'GET', `/v1/payouts/${payout.body.id}`, { key: other.key })).status).toBe(404);
  });

  it('reads one webhook without its secret; another tenant’s answers 404', async () => {
    const [a, b] = await Promise.all([signup(app, 'advertiser'), signup(app, 'advertiser')]);
    const hook = await call(app, 'POST', '/v1/webhooks', { key: a.key, body: { url: receiver.url, events: ['order.requested'] } });
    const read = await call(app, 'GET', `/v1/webhooks/${hook.body.id}`, { key: a.key });
    expect(read.body).toMatchObject({ id: hook.body.id, url: receiver.url, events: ['order.requested'] });
    expect(read.body).not.toHaveProperty('secret');
    expect((await call(app, 'GET', `/v1/webhooks/${hook.body.id}`, { key: b.key })).status).toBe(404);
  });

  it('lists deposits for the operator, newest first', async () => {
    const advertiser = await signup(app, 'advertiser');
    const made = await call(app, 'POST', '/v1/admin/deposits', {
      key: admin,
      body: { advertiserId: advertiser.id, amountMicros: 7_000_000, reference: 'wire 42' },
      headers: { 'idempotency-key': 'dep-42' },
    });
    expect(made.status).toBe(201);
    const list = await call(app, 'GET', '/v1/admin/deposits?limit=1', { key: admin });
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: made.body.id, advertiserId: advertiser.id, amountMicros: 7_000_000, reference: 'wire 42' }),
    ]);
  });
});
