import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { aCampaign, aCreative } from '../support/campaigns.js';
import { crashAfterFirst, pauseBeforeFirst } from '../support/crash.js';
import { adminKey, movableClock, testDeps, type MovableClock } from '../support/deps.js';
import { call, type Method, type Path, type RequestBody, type Schemas, signup } from '../support/http.js';
import { seedEarnings } from '../support/money.js';
import { aBrief, balance, fund, placeOrder, PRICE, slotsOf } from '../support/orders.js';
import { everything, scanEntity } from '../support/table.js';

let deps: Deps;
let clock: MovableClock;
let app: ReturnType<typeof createApp>;
let admin: string;

beforeAll(async () => {
  clock = movableClock();
  deps = await testDeps({ clock });
  app = createApp(deps);
  admin = await adminKey(deps);
});

/** Longer than the lock a claimed key holds (http/idempotency.ts), so a retry may take a crashed request's claim over. */
const PAST_THE_LOCK = 61_000;

/**
 * Sends the request through a process that dies right after its transaction reached DynamoDB
 * (the client gets a 500, or nothing at all), then retries it past the lock with the same key and
 * body through a healthy process, as a client would.
 */
async function crashThenRetry<M extends Method, P extends Path<M>>(method: M, path: P, options: { key: string; body?: RequestBody<M, P> }) {
  const crashing = createApp({ ...deps, db: crashAfterFirst(deps.db, TransactWriteCommand) });
  const headers = { 'idempotency-key': `crash-${Math.random()}` };
  const lost = await call(crashing, method, path, { ...options, headers });
  expect(lost.status).toBe(500);
  clock.advance(PAST_THE_LOCK);
  return call(app, method, path, { ...options, headers });
}

const ledgerLinesOf = async (causeType: string) => (await scanEntity(deps, 'ledgerLine')).filter((l) => l.cause.type === causeType);

describe('a request cut off between its write and its response, retried with the same Idempotency-Key', () => {
  it('records a deposit once and answers the first deposit again', async () => {
    const advertiser = await signup(app, 'advertiser');
    const body = { advertiserId: advertiser.id, amountMicros: 7_000_000, reference: 'bank transfer 42' };
    const retry = await crashThenRetry('POST', '/v1/admin/deposits', { key: admin, body });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const lines = (await ledgerLinesOf('deposit')).filter((l) => l.memo === 'Deposit bank transfer 42' && l.pk.includes(advertiser.id));
    expect(lines).toHaveLength(1);
    expect(retry.body).toMatchObject({ ...body, id: lines[0]!.cause.id });
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(7_000_000);
  });

  it('books a slot once, holds its price once, and answers the first order again', async () => {
    const [advertiser, publisher] = await Promise.all([signup(app, 'advertiser'), signup(app, 'publisher')]);
    await fund(deps, advertiser.id, 3 * PRICE);
    const [slot] = await slotsOf(deps, publisher.id, 1);
    const retry = await crashThenRetry('POST', '/v1/orders', { key: advertiser.key, body: { slotId: slot!.id, brief: aBrief } });
    expect(retry.status).toBe(201);
    const orders = (await call(app, 'GET', '/v1/orders', { key: advertiser.key })).body.items;
    expect(orders).toHaveLength(1);
    expect(retry.body).toMatchObject({ id: orders[0]?.id, slotId: slot!.id, state: 'requested', heldMicros: PRICE });
    expect(await balance(deps, `advertiser:${advertiser.id}:held`)).toBe(PRICE);
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(2 * PRICE);
  });

  it('takes an order action once and answers the first result again', async () => {
    const [advertiser, publisher] = await Promise.all([signup(app, 'advertiser'), signup(app, 'publisher')]);
    await fund(deps, advertiser.id, PRICE);
    const [slot] = await slotsOf(deps, publisher.id, 1, { format: 'custom_article' });
    const order = await placeOrder(app, advertiser.key, slot!.id);
    const retry = await crashThenRetry('POST', `/v1/orders/${order.id}/reject`, { key: publisher.key, body: { reason: 'Not our audience' } });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: order.id, state: 'rejected', heldMicros: 0 });
    const stored = (await call(app, 'GET', `/v1/orders/${order.id}`, { key: advertiser.key })).body;
    expect(stored.timeline.filter((t: { action: string }) => t.action === 'reject')).toHaveLength(1);
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(PRICE);
    expect(await balance(deps, `advertiser:${advertiser.id}:held`)).toBe(0);
  });

  it('requests a payout once and answers the first payout again', async () => {
    const [advertiser, publisher] = await Promise.all([signup(app, 'advertiser'), signup(app, 'publisher')]);
    await seedEarnings(deps, advertiser.id, publisher.id, 10_000_000); // earns 9 000 000 after the 10 % fee
    const retry = await crashThenRetry('POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 4_000_000 } });
    expect(retry.status).toBe(201);
    const payouts = (await call(app, 'GET', '/v1/payouts', { key: publisher.key })).body.items;
    expect(payouts).toHaveLength(1);
    expect(retry.body).toEqual(payouts[0]);
    expect(await balance(deps, `publisher:${publisher.id}:pendingPayout`)).toBe(4_000_000);
    expect(await balance(deps, `publisher:${publisher.id}:earned`)).toBe(5_000_000);
  });

  it('activates a campaign once, holding its budget once, and answers the first result again', async () => {
    const advertiser = await signup(app, 'advertiser');
    await fund(deps, advertiser.id, 250_000_000);
    const created = await call(app, 'POST', '/v1/campaigns', { key: advertiser.key, body: aCampaign(deps) });
    const creative = await call(app, 'POST', `/v1/campaigns/${created.body.id}/creatives`, { key: advertiser.key, body: aCreative() });
    expect((await call(app, 'POST', `/v1/admin/creatives/${creative.body.id}/approve`, { key: admin, body: {} })).status).toBe(200);
    const retry = await crashThenRetry('POST', `/v1/campaigns/${created.body.id}/activate`, { key: advertiser.key });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: created.body.id, status: 'active', funded: true });
    expect(await balance(deps, `advertiser:${advertiser.id}:held`)).toBe(100_000_000);
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(150_000_000);
  });

  it('runs a request once when the crash came before its write (the key left in progress)', async () => {
    const advertiser = await signup(app, 'advertiser');
    const body = { advertiserId: advertiser.id, amountMicros: 5_000_000, reference: 'bank transfer 43' };
    const headers = { 'idempotency-key': 'cut-before-the-write' };
    // The process dies once it has claimed the key: the claim stands, nothing else does.
    const dead = createApp({ ...deps, db: crashAfterFirst(deps.db, PutCommand) });
    expect((await call(dead, 'POST', '/v1/admin/deposits', { key: admin, body, headers })).status).toBe(500);
    expect((await call(app, 'POST', '/v1/admin/deposits', { key: admin, body, headers })).status).toBe(409);
    clock.advance(PAST_THE_LOCK);
    const retry = await call(app, 'POST', '/v1/admin/deposits', { key: admin, body, headers });
    expect(retry.status).toBe(201);
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(5_000_000);
  });
});

describe('Idempotency-Key', () => {
  const campaign = () => aCampaign(deps, { name: `Retry ${Math.random()}` });

  it('returns the first response again for a retry with the same key and body, creating once', async () => {
    const { key } = await signup(app, 'advertiser');
    const headers = { 'idempotency-key': 'create-once' };
    const body = campaign();
    const first = await call(app, 'POST', '/v1/campaigns', { key, body, headers });
    const second = await call(app, 'POST', '/v1/campaigns', { key, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(app, 'GET', '/v1/campaigns', { key })).body.items).toHaveLength(1);
  });

  it('answers 422 for the same key with a different body', async () => {
    const { key } = await signup(app, 'advertiser');
    const headers = { 'idempotency-key': 'create-twice' };
    await call(app, 'POST', '/v1/campaigns', { key, body: campaign(), headers });
    const res = await call(app, 'POST', '/v1/campaigns', { key, body: campaign(), headers });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('lets a failed request be retried with the same key, and writes nothing for it', async () => {
    const { key } = await signup(app, 'advertiser');
    const headers = { 'idempotency-key': 'fix-and-retry' };
    const bad = await call(app, 'POST', '/v1/campaigns', { key, body: { ...campaign(), name: '' }, headers });
    expect(bad.status).toBe(400);
    const good = await call(app, 'POST', '/v1/campaigns', { key, body: campaign(), headers });
    expect(good.status).toBe(201);
    expect((await call(app, 'GET', '/v1/campaigns', { key })).body.items).toHaveLength(1);
  });

  it('answers 409 to a second request while the first with its key is in progress, creating once', async () => {
    const { key } = await signup(app, 'advertiser');
    const headers = { 'idempotency-key': 'slow-one' };
    const body = campaign();
    // The first request holds its key and stops before its commit; the second arrives meanwhile.
    const paused = pauseBeforeFirst(deps.db, TransactWriteCommand);
    const first = call(createApp({ ...deps, db: paused.db }), 'POST', '/v1/campaigns', { key, body, headers });
    await paused.reached;
    const second = await call(app, 'POST', '/v1/campaigns', { key, body, headers });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    paused.resume();
    expect((await first).status).toBe(201);
    expect((await call(app, 'GET', '/v1/campaigns', { key })).body.items).toHaveLength(1);
  });

  it('scopes keys to the tenant', async () => {
    const a = await signup(app, 'advertiser');
    const b = await signup(app, 'advertiser');
    const headers = { 'idempotency-key': 'same-key' };
    const body = campaign();
    const ca = await call(app, 'POST', '/v1/campaigns', { key: a.key, body, headers });
    const cb = await call(app, 'POST', '/v1/campaigns', { key: b.key, body, headers });
    expect(ca.status).toBe(201);
    expect(cb.status).toBe(201);
    expect(cb.body.id).not.toBe(ca.body.id);
  });
});

describe('responses that carry a secret', () => {
  const secretIn = (value: unknown) => /plc_|whsec_/.test(JSON.stringify(value));

  it('never gives a signup’s key to someone who repeats its body and Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'signup-victim' };
    const body: Schemas['Signup'] = { role: 'advertiser', name: 'Victim Co', email: `victim-${Math.random()}@example.com` };
    const victim = await call(app, 'POST', '/v1/signup', { body, headers });
    expect(victim.status).toBe(201);
    expect(victim.body.apiKey.key).toMatch(/^plc_/);
    const attacker = await call(app, 'POST', '/v1/signup', { body, headers });
    expect(attacker.status).toBe(409);
    expect(attacker.headers.get('idempotent-replayed')).toBeNull();
    expect(secretIn(attacker.problem)).toBe(false);
  });

  it('answers a replayed API-key creation with 409 naming the key, without the secret', async () => {
    const { key } = await signup(app, 'advertiser');
    const headers = { 'idempotency-key': 'new-key' };
    const first = await call(app, 'POST', '/v1/api-keys', { key, headers });
    expect(first.status).toBe(201);
    const replay = await call(app, 'POST', '/v1/api-keys', { key, headers });
    expect(replay.status).toBe(409);
    expect(replay.headers.get('content-type')).toContain('application/problem+json');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.problem).toMatchObject({ status: 409, created: first.body.id });
    expect(secretIn(replay.problem)).toBe(false);
    expect((await call(app, 'GET', '/v1/api-keys', { key })).body.items).toHaveLength(2);
  });

  it('answers a replayed webhook creation with 409 naming the webhook, without the secret', async () => {
    const { key } = await signup(app, 'publisher');
    const headers = { 'idempotency-key': 'new-hook' };
    const body: Schemas['WebhookInput'] = { url: 'https://example.com/hooks', events: ['order.requested'] };
    const first = await call(app, 'POST', '/v1/webhooks', { key, body, headers });
    expect(first.status).toBe(201);
    expect(first.body.secret).toMatch(/^whsec_/);
    const replay = await call(app, 'POST', '/v1/webhooks', { key, body, headers });
    expect(replay.status).toBe(409);
    expect(replay.problem).toMatchObject({ status: 409, created: first.body.id });
    expect(secretIn(replay.problem)).toBe(false);
  });

  it('leaves no API key or webhook secret in the table but as a hash', async () => {
    const headers = (name: string) => ({ 'idempotency-key': `secrets-at-rest-${name}` });
    const signedUp = await call(app, 'POST', '/v1/signup', {
      body: { role: 'publisher', name: 'Secret Co', email: `secret-${Math.random()}@example.com` },
      headers: headers('signup'),
    });
    const key = signedUp.body.apiKey.key as string;
    const another = await call(app, 'POST', '/v1/api-keys', { key, headers: headers('key') });
    const hook = await call(app, 'POST', '/v1/webhooks', {
      key,
      headers: headers('hook'),
      body: { url: 'https://example.com/hooks', events: ['order.requested'] },
    });
    expect([signedUp.status, another.status, hook.status]).toEqual([201, 201, 201]);
    const table = JSON.stringify([...(await everything(deps)).values()]);
    for (const secret of [key, another.body.key, hook.body.secret]) expect(table).not.toContain(secret);
    // Only a key's shown prefix (`plc_` and 8 of its 43 characters, to tell keys apart) may be there.
    expect(table).not.toMatch(/plc_[\w-]{9,}|whsec_/);
  });
});
