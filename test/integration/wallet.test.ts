import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import type { Deps } from '../../functions/deps.js';
import { adminKey, testDeps } from '../support/deps.js';
import { call, having, invalid, type RequestBody, signup } from '../support/http.js';
import { ledgerState, seedEarnings, total } from '../support/money.js';
import { scanEntity } from '../support/table.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let admin: string;

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
  admin = await adminKey(deps);
});

const depositCall = (body: RequestBody<'POST', '/v1/admin/deposits'>, key = admin, idempotencyKey: string | null = `dep-${Math.random()}`) =>
  call(app, 'POST', '/v1/admin/deposits', { key, body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });

describe('GET /v1/wallet', () => {
  it('starts every balance at zero, in the deployment currency', async () => {
    const advertiser = await signup(app, 'advertiser');
    const publisher = await signup(app, 'publisher');
    expect((await call(app, 'GET', '/v1/wallet', { key: advertiser.key })).body).toEqual({ currency: 'CNY', balances: { availableMicros: 0, heldMicros: 0 } });
    expect((await call(app, 'GET', '/v1/wallet', { key: publisher.key })).body).toEqual({
      currency: 'CNY',
      balances: { pendingMicros: 0, earnedMicros: 0, pendingPayoutMicros: 0, paidMicros: 0 },
    });
  });

  it('answers 401 without a key', async () => {
    const res = await call(app, 'GET', '/v1/wallet');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('POST /v1/admin/deposits', () => {
  it('credits the advertiser, debits platform cash, and lists the deposit on both ledgers', async () => {
    const advertiser = await signup(app, 'advertiser');
    const res = await depositCall({ advertiserId: advertiser.id, amountMicros: 25_000_000, reference: 'bank-4711' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ advertiserId: advertiser.id, amountMicros: 25_000_000, reference: 'bank-4711', currency: 'CNY' });
    expect(res.body.id).toMatch(/^dep_/);

    const wallet = await call(app, 'GET', '/v1/wallet', { key: advertiser.key });
    expect(wallet.body.balances).toEqual({ availableMicros: 25_000_000, heldMicros: 0 });
    const ledger = await call(app, 'GET', '/v1/wallet/ledger', { key: advertiser.key });
    expect(ledger.body.items).toHaveLength(1);
    expect(ledger.body.items[0]).toMatchObject({
      cause: { type: 'deposit', id: res.body.id },
      currency: 'CNY',
      postings: [{ account: `advertiser:${advertiser.id}:available`, amountMicros: 25_000_000 }],
    });
    const platform = await call(app, 'GET', '/v1/wallet/ledger', { key: admin });
    expect(platform.body.items.some((e: { cause: { id: string } }) => e.cause.id === res.body.id)).toBe(true);
  });

  it('records a deposit once when the same request is sent twice with one Idempotency-Key', async () => {
    const advertiser = await signup(app, 'advertiser');
    const body = { advertiserId: advertiser.id, amountMicros: 7_000_000, reference: 'retry' };
    const first = await depositCall(body, admin, 'deposit-once');
    const second = await depositCall(body, admin, 'deposit-once');
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(having((await call(app, 'GET', '/v1/wallet', { key: advertiser.key })).body.balances, 'availableMicros').availableMicros).toBe(7_000_000);
  });

  it('refuses a deposit without an Idempotency-Key with 400 naming the header, and moves nothing', async () => {
    const advertiser = await signup(app, 'advertiser');
    const res = await depositCall({ advertiserId: advertiser.id, amountMicros: 1, reference: 'x' }, admin, null);
    expect(res.status).toBe(400);
    expect(res.problem.errors?.[0]?.field).toBe('Idempotency-Key');
    expect(having((await call(app, 'GET', '/v1/wallet', { key: advertiser.key })).body.balances, 'availableMicros').availableMicros).toBe(0);
  });

  it('refuses bad input with 400 naming each field', async () => {
    const before = await scanEntity(deps, 'ledgerLine');
    const res = await depositCall(invalid({ advertiserId: '', amountMicros: -5, reference: '' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.problem.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['advertiserId', 'amountMicros', 'reference']);
    for (const amountMicros of [1.5, 0, Number.MAX_SAFE_INTEGER + 2, '10']) {
      expect((await depositCall(invalid({ advertiserId: 'tnt_x', amountMicros, reference: 'r' }))).status).toBe(400);
    }
    expect(await scanEntity(deps, 'ledgerLine')).toHaveLength(before.length);
  });

  it('answers 404 for an unknown tenant or one that is not an advertiser', async () => {
    const publisher = await signup(app, 'publisher');
    for (const advertiserId of ['tnt_nobody', publisher.id]) {
      const res = await depositCall({ advertiserId, amountMicros: 1_000_000, reference: 'r' });
      expect(res.status).toBe(404);
    }
    expect(having((await call(app, 'GET', '/v1/wallet', { key: publisher.key })).body.balances, 'earnedMicros').earnedMicros).toBe(0);
  });

  it('is for operators only (403 for advertisers and publishers)', async () => {
    const advertiser = await signup(app, 'advertiser');
    const publisher = await signup(app, 'publisher');
    for (const key of [advertiser.key, publisher.key]) {
      const res = await depositCall({ advertiserId: advertiser.id, amountMicros: 1_000_000, reference: 'self-service' }, key);
      expect(res.status).toBe(403);
    }
    expect(having((await call(app, 'GET', '/v1/wallet', { key: advertiser.key })).body.balances, 'availableMicros').availableMicros).toBe(0);
  });
});

describe('GET /v1/wallet/ledger', () => {
  it('pages through entries newest first with a cursor, and shows only the caller’s own', async () => {
    const advertiser = await signup(app, 'advertiser');
    const other = await signup(app, 'advertiser');
    for (const amount of [1, 2, 3]) await depositCall({ advertiserId: advertiser.id, amountMicros: amount * 1_000_000, reference: `r${amount}` });
    await depositCall({ advertiserId: other.id, amountMicros: 9_000_000, reference: 'other' });

    const first = await call(app, 'GET', '/v1/wallet/ledger?limit=2', { key: advertiser.key });
    expect(first.body.items.map((e: { memo: string }) => e.memo)).toEqual(['Deposit r3', 'Deposit r2']);
    const second = await call(app, 'GET', `/v1/wallet/ledger?limit=2&cursor=${first.body.nextCursor}`, { key: advertiser.key });
    expect(second.body.items.map((e: { memo: string }) => e.memo)).toEqual(['Deposit r1']);
    expect(JSON.stringify([first.body, second.body])).not.toContain(other.id);
  });

  it('refuses a bad limit or cursor with 400', async () => {
    const advertiser = await signup(app, 'advertiser');
    expect((await call(app, 'GET', '/v1/wallet/ledger?limit=0', { key: advertiser.key })).status).toBe(400);
    expect((await call(app, 'GET', '/v1/wallet/ledger?cursor=nope', { key: advertiser.key })).status).toBe(400);
  });
});

describe('the ledger', () => {
  it('splits captured money: the fee rounded down to the micro goes to the platform, the rest to the owner', async () => {
    const advertiser = await signup(app, 'advertiser');
    const publisher = await signup(app, 'publisher');
    const before = having((await call(app, 'GET', '/v1/wallet', { key: admin })).body.balances, 'revenueMicros').revenueMicros;
    await seedEarnings(deps, advertiser.id, publisher.id, 999);
    expect((await call(app, 'GET', '/v1/wallet', { key: publisher.key })).body.balances).toEqual({
      pendingMicros: 0,
      earnedMicros: 900,
      pendingPayoutMicros: 0,
      paidMicros: 0,
    });
    expect(having((await call(app, 'GET', '/v1/wallet', { key: admin })).body.balances, 'revenueMicros').revenueMicros - before).toBe(99);
  });

  it('replays to the stored balances, and all balances sum to zero', async () => {
    const { replayed, stored } = await ledgerState(deps);
    expect(stored.size).toBeGreaterThan(0);
    for (const [account, balance] of stored) expect(replayed.get(account) ?? 0).toBe(balance);
    expect(total(stored)).toBe(0);
    for (const [account, balance] of stored) if (account !== 'platform:cash') expect(balance).toBeGreaterThanOrEqual(0);
  });
});
