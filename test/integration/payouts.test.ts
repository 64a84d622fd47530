import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import type { Deps } from '../../functions/deps.js';
import { adminKey, testDeps } from '../support/deps.js';
import { call, having, invalid, signup } from '../support/http.js';
import { ledgerState, seedEarnings, total } from '../support/money.js';
import { scanEntity } from '../support/table.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let admin: string;
let advertiser: { id: string; key: string };

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
  admin = await adminKey(deps);
  advertiser = await signup(app, 'advertiser');
});

/** A publisher with `earned` micros (the capture of earned / 0.9, so the fee rounds to exactly 10 %). */
async function publisherEarning(earnedMicros: number): Promise<{ id: string; key: string }> {
  const publisher = await signup(app, 'publisher');
  await seedEarnings(deps, advertiser.id, publisher.id, (earnedMicros / 9) * 10);
  return publisher;
}

const balances = async (key: string) => having((await call(app, 'GET', '/v1/wallet', { key })).body.balances, 'earnedMicros');
const request = (key: string, amountMicros: number) => call(app, 'POST', '/v1/payouts', { key, body: { amountMicros } });

describe('POST /v1/payouts', () => {
  it('moves the amount from earned to pendingPayout and lists the payout', async () => {
    const publisher = await publisherEarning(9_000_000);
    const res = await request(publisher.key, 4_000_000);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ publisherId: publisher.id, amountMicros: 4_000_000, currency: 'CNY', status: 'requested' });
    expect(res.body.id).toMatch(/^pay_/);
    expect(await balances(publisher.key)).toEqual({ pendingMicros: 0, earnedMicros: 5_000_000, pendingPayoutMicros: 4_000_000, paidMicros: 0 });

    const list = await call(app, 'GET', '/v1/payouts', { key: publisher.key });
    expect(list.body.items).toEqual([res.body]);
    const ledger = await call(app, 'GET', '/v1/wallet/ledger?limit=1', { key: publisher.key });
    expect(ledger.body.items[0]?.cause).toEqual({ type: 'payout', id: res.body.id });
  });

  it('answers 402 when earnings do not cover the amount, and changes nothing', async () => {
    const publisher = await publisherEarning(900);
    const res = await request(publisher.key, 901);
    expect(res.status).toBe(402);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await balances(publisher.key)).toEqual({ pendingMicros: 0, earnedMicros: 900, pendingPayoutMicros: 0, paidMicros: 0 });
    expect((await call(app, 'GET', '/v1/payouts', { key: publisher.key })).body.items).toEqual([]);
  });

  it('refuses bad amounts with 400 naming the field', async () => {
    const publisher = await publisherEarning(900);
    for (const amount of [0, -1, 1.5, '100', null, Number.MAX_SAFE_INTEGER + 2]) {
      const res = await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: invalid({ amountMicros: amount }) });
      expect(res.status).toBe(400);
      expect(res.problem.errors?.[0]?.field).toBe('amountMicros');
    }
    expect(await balances(publisher.key)).toEqual({ pendingMicros: 0, earnedMicros: 900, pendingPayoutMicros: 0, paidMicros: 0 });
  });

  it('is for publishers (403 for advertisers and operators)', async () => {
    for (const key of [advertiser.key, admin]) expect((await request(key, 1)).status).toBe(403);
    expect((await call(app, 'GET', '/v1/payouts', { key: advertiser.key })).status).toBe(403);
  });
});

describe('POST /v1/admin/payouts/{id}/paid and /failed', () => {
  it('pays a requested payout: pendingPayout → paid, and it leaves the operator’s queue', async () => {
    const publisher = await publisherEarning(9_000_000);
    const payout = (await request(publisher.key, 9_000_000)).body;
    const queue = await call(app, 'GET', '/v1/admin/payouts?status=requested', { key: admin });
    expect(queue.body.items.map((p: { id: string }) => p.id)).toContain(payout.id);

    const res = await call(app, 'POST', `/v1/admin/payouts/${payout.id}/paid`, { key: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: payout.id, status: 'paid' });
    expect(await balances(publisher.key)).toEqual({ pendingMicros: 0, earnedMicros: 0, pendingPayoutMicros: 0, paidMicros: 9_000_000 });
    const after = await call(app, 'GET', '/v1/admin/payouts', { key: admin });
    expect(after.body.items.map((p: { id: string }) => p.id)).not.toContain(payout.id);
    const paid = await call(app, 'GET', '/v1/admin/payouts?status=paid', { key: admin });
    expect(paid.body.items.map((p: { id: string }) => p.id)).toContain(payout.id);
    expect((await call(app, 'GET', '/v1/payouts', { key: publisher.key })).body.items[0]?.status).toBe('paid');
  });

  it('fails a requested payout: the money goes back to earned', async () => {
    const publisher = await publisherEarning(9_000_000);
    const payout = (await request(publisher.key, 3_000_000)).body;
    const res = await call(app, 'POST', `/v1/admin/payouts/${payout.id}/failed`, { key: admin });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('failed');
    expect(await balances(publisher.key)).toEqual({ pendingMicros: 0, earnedMicros: 9_000_000, pendingPayoutMicros: 0, paidMicros: 0 });
  });

  it('answers 409 for a payout that is no longer requested, and moves nothing', async () => {
    const publisher = await publisherEarning(9_000_000);
    const payout = (await request(publisher.key, 3_000_000)).body;
    await call(app, 'POST', `/v1/admin/payouts/${payout.id}/paid`, { key: admin });
    for (const outcome of ['paid', 'failed'] as const) {
      const res = await call(app, 'POST', `/v1/admin/payouts/${payout.id}/${outcome}`, { key: admin });
      expect(res.status).toBe(409);
    }
    expect(await balances(publisher.key)).toEqual({ pendingMicros: 0, earnedMicros: 6_000_000, pendingPayoutMicros: 0, paidMicros: 3_000_000 });
  });

  it('settles each payout once when two operators race', async () => {
    const publisher = await publisherEarning(9_000_000);
    const payout = (await request(publisher.key, 3_000_000)).body;
    const results = await Promise.all(
      (['paid', 'failed', 'paid'] as const).map((o) => call(app, 'POST', `/v1/admin/payouts/${payout.id}/${o}`, { key: admin })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const b = await balances(publisher.key);
    expect(b.pendingPayoutMicros).toBe(0);
    expect(b.earnedMicros + b.paidMicros).toBe(9_000_000);
  });

  it('is for operators (403), and answers 404 for an unknown payout', async () => {
    const publisher = await publisherEarning(9_000_000);
    const payout = (await request(publisher.key, 1_000_000)).body;
    for (const key of [publisher.key, advertiser.key]) {
      expect((await call(app, 'POST', `/v1/admin/payouts/${payout.id}/paid`, { key })).status).toBe(403);
      expect((await call(app, 'GET', '/v1/admin/payouts', { key })).status).toBe(403);
    }
    expect((await call(app, 'POST', '/v1/admin/payouts/pay_nope/paid', { key: admin })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/admin/payouts?status=lost', { key: admin })).status).toBe(400);
    expect((await balances(publisher.key)).pendingPayoutMicros).toBe(1_000_000);
  });
});

describe('GET /v1/payouts', () => {
  it('shows a publisher only their own payouts, newest first, paged', async () => {
    const publisher = await publisherEarning(9_000_000);
    const other = await publisherEarning(9_000_000);
    const ids = [];
    for (const amount of [1, 2, 3]) ids.push((await request(publisher.key, amount * 1_000_000)).body.id);
    await request(other.key, 1_000_000);
    const first = await call(app, 'GET', '/v1/payouts?limit=2', { key: publisher.key });
    const second = await call(app, 'GET', `/v1/payouts?limit=2&cursor=${first.body.nextCursor}`, { key: publisher.key });
    expect([...first.body.items, ...second.body.items].map((p: { id: string }) => p.id)).toEqual(ids.reverse());
  });
});

describe('the ledger after payouts', () => {
  it('replays to the stored balances and sums to zero', async () => {
    const { replayed, stored } = await ledgerState(deps);
    for (const [account, balance] of stored) expect(replayed.get(account) ?? 0).toBe(balance);
    expect(total(stored)).toBe(0);
    expect((await scanEntity(deps, 'payout')).length).toBeGreaterThan(0);
  });
});
