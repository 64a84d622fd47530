import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { handleStream } from '../../functions/background/stream.js';
import { deliveryRunner } from '../../functions/background/webhooks.js';
import { createApp } from '../../functions/http/app.js';
import type { Deps } from '../../functions/deps.js';
import { getItem } from '../../functions/store/items.js';
import { keys } from '../../functions/store/keys.js';
import { streamRecord } from '../fixtures/events.js';
import { adminKey, movableClock, testDeps, type MovableClock } from '../support/deps.js';
import { call, invalid, type Schemas, signup } from '../support/http.js';
import { seedEarnings } from '../support/money.js';
import { scanEntity } from '../support/table.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let admin: string;
let receiver: Receiver;
let advertiser: { id: string; key: string };
let sequence = 0;

beforeAll(async () => {
  // Receivers check a signature's timestamp against their own (real) clock, so the platform's clock starts at real time here.
  deps = await testDeps({ clock: movableClock(new Date()), env: { WEBHOOKS_PER_TENANT: '3' } });
  app = createApp(deps);
  admin = await adminKey(deps);
  advertiser = await signup(app, 'advertiser');
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
  receiver.status = 200;
});

const clock = () => deps.clock as MovableClock;

async function publisherWithWebhook(events: Schemas['WebhookInput']['events'] = ['payout.requested', 'payout.paid']) {
  const publisher = await signup(app, 'publisher');
  await seedEarnings(deps, advertiser.id, publisher.id, 10_000_000);
  const hook = await call(app, 'POST', '/v1/webhooks', { key: publisher.key, body: { url: receiver.url, events } });
  expect(hook.status).toBe(201);
  return { publisher, webhook: hook.body as { id: string; secret: string } };
}

/** The stream record DynamoDB would emit for a payout's current item (MODIFY when an older image is given). */
async function payoutRecord(payoutId: string, old?: Record<string, unknown>) {
  const item = (await getItem<Record<string, unknown>>(deps.db, keys.payout(payoutId), { consistent: true }))!;
  sequence += 1;
  return { item, record: streamRecord(old ? 'MODIFY' : 'INSERT', item, String(sequence).padStart(12, '0'), old) };
}

/** Runs the delivery runner until nothing is due (what the jobs function and `npm start` do); says how many deliveries it took up. */
const deliver = (on: Deps = deps) => deliveryRunner(on).run(60_000);

const deliveries = async (key: string, webhookId: string) => (await call(app, 'GET', `/v1/webhooks/${webhookId}/deliveries`, { key })).body.items;

describe('webhook registration', () => {
  it('returns a Standard Webhooks secret once, and lists webhooks without it', async () => {
    const publisher = await signup(app, 'publisher');
    const res = await call(app, 'POST', '/v1/webhooks', {
      key: publisher.key,
      body: { url: 'https://hooks.example.com/placard', events: ['order.requested', 'payout.paid'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tenantId: publisher.id, url: 'https://hooks.example.com/placard', events: ['order.requested', 'payout.paid'] });
    expect(res.body.id).toMatch(/^whk_/);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const list = await call(app, 'GET', '/v1/webhooks', { key: publisher.key });
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret.slice(6));
  });

  it('refuses bad urls and unknown events with 400 naming the field, and stores nothing', async () => {
    const publisher = await signup(app, 'publisher');
    const bad = [
      [{ url: 'ftp://example.com/x', events: ['order.requested'] }, 'url'],
      [{ url: 'http://example.com/x', events: ['order.requested'] }, 'url'],
      [{ url: 'not a url', events: ['order.requested'] }, 'url'],
      [{ url: 'https://example.com/x', events: ['order.exploded'] }, 'events.0'],
      [{ url: 'https://example.com/x', events: [] }, 'events'],
      [{ events: ['order.requested'] }, 'url'],
    ] as const;
    for (const [body, field] of bad) {
      const res = await call(app, 'POST', '/v1/webhooks', { key: publisher.key, body: invalid(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.problem.errors?.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await call(app, 'GET', '/v1/webhooks', { key: publisher.key })).body.items).toEqual([]);
  });

  it('refuses https-less endpoints unless private networks are allowed (local development and tests)', async () => {
    const prod = await testDeps({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' } });
    const prodApp = createApp(prod);
    const publisher = await signup(prodApp, 'publisher');
    const res = await call(prodApp, 'POST', '/v1/webhooks', {
      key: publisher.key,
      body: { url: receiver.url.replace('127.0.0.1', 'hooks.example.com'), events: ['payout.paid'] },
    });
    expect(res.status).toBe(400);
    expect(res.problem.errors?.[0]).toEqual({ field: 'url', message: 'must be https' });
  });

  it('caps webhooks per tenant (409), and a delete makes room again', async () => {
    const publisher = await signup(app, 'publisher');
    const body: Schemas['WebhookInput'] = { url: 'https://example.com/x', events: ['payout.paid'] };
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await call(app, 'POST', '/v1/webhooks', { key: publisher.key, body })).body.id);
    expect((await call(app, 'POST', '/v1/webhooks', { key: publisher.key, body })).status).toBe(409);
    expect((await call(app, 'DELETE', `/v1/webhooks/${made[0]}`, { key: publisher.key })).status).toBe(204);
    expect((await call(app, 'POST', '/v1/webhooks', { key: publisher.key, body })).status).toBe(201);
  });

  it('answers 404 for another tenant’s webhook, and 403 for operators', async () => {
    const { publisher, webhook } = await publisherWithWebhook();
    const other = await signup(app, 'publisher');
    expect((await call(app, 'DELETE', `/v1/webhooks/${webhook.id}`, { key: other.key })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/webhooks/${webhook.id}/deliveries`, { key: other.key })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/webhooks/whk_nope/deliveries', { key: publisher.key })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/webhooks', { key: admin })).status).toBe(403);
    expect((await call(app, 'POST', '/v1/webhooks', { key: admin, body: { url: 'https://example.com/x', events: ['payout.paid'] } })).status).toBe(403);
    expect((await call(app, 'GET', '/v1/webhooks', { key: publisher.key })).body.items).toHaveLength(1);
  });
});

describe('webhook delivery from the stream', () => {
  it('posts a signed event that verifies with the secret, and lists the delivery', async () => {
    const { publisher, webhook } = await publisherWithWebhook();
    const payout = (await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 2_000_000 } })).body;
    const { record } = await payoutRecord(payout.id);

    expect(await handleStream(deps, [record])).toEqual({ batchItemFailures: [] });
    // The stream only enqueues: nothing is posted until the delivery runner runs.
    expect(receiver.received).toEqual([]);
    expect(await deliveries(publisher.key, webhook.id)).toMatchObject([{ status: 'pending', attempts: 0 }]);
    expect(await deliver()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    const event = new Webhook(webhook.secret).verify(got!.body, got!.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(event.type).toBe('payout.requested');
    expect(event.data).toMatchObject({ id: payout.id, publisherId: publisher.id, amountMicros: 2_000_000, status: 'requested', currency: 'CNY' });
    for (const hidden of ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity', 'notify']) expect(event.data).not.toHaveProperty(hidden);
    expect(() =>
      new Webhook(`whsec_${Buffer.from('another secret of enough length').toString('base64')}`).verify(got!.body, got!.headers as Record<string, string>),
    ).toThrow();

    const listed = await deliveries(publisher.key, webhook.id);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: got!.headers['webhook-id'], event: 'payout.requested', status: 'delivered', attempts: 1, lastStatus: 200 });
  });

  it('sends nothing twice when the stream delivers the same record again', async () => {
    const { publisher, webhook } = await publisherWithWebhook();
    const payout = (await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 1_000_000 } })).body;
    const { record } = await payoutRecord(payout.id);
    await handleStream(deps, [record]);
    await deliver();
    await handleStream(deps, [record, record]);
    await deliver();
    expect(receiver.received).toHaveLength(1);
    expect(await deliveries(publisher.key, webhook.id)).toHaveLength(1);
  });

  it('notifies each change of state once, only to subscribed webhooks of the tenants named', async () => {
    const { publisher, webhook } = await publisherWithWebhook(['payout.paid']);
    const other = await publisherWithWebhook(['payout.requested', 'payout.paid']);
    const payout = (await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 1_000_000 } })).body;
    const requested = await payoutRecord(payout.id);
    await call(app, 'POST', `/v1/admin/payouts/${payout.id}/paid`, { key: admin });
    const paid = await payoutRecord(payout.id, requested.item);

    await handleStream(deps, [requested.record, paid.record]);
    await deliver();
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['payout.paid']);
    expect(receiver.received[0]!.headers['webhook-id']).toBe((await deliveries(publisher.key, webhook.id))[0]?.id);
    expect(await deliveries(other.publisher.key, other.webhook.id)).toEqual([]);
  });

  it('ignores writes whose notify belongs to an earlier version', async () => {
    const { publisher } = await publisherWithWebhook();
    const payout = (await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 1_000_000 } })).body;
    const { item } = await payoutRecord(payout.id);
    const touched = { ...item, version: 2, note: 'edited without notifying' };
    sequence += 1;
    await handleStream(deps, [streamRecord('MODIFY', touched, String(sequence).padStart(12, '0'), item)]);
    expect(await deliver()).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it('records a failing endpoint, and the runner delivers it again after the backoff', async () => {
    const { publisher, webhook } = await publisherWithWebhook();
    const payout = (await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 1_000_000 } })).body;
    const { record } = await payoutRecord(payout.id);
    receiver.status = 500;
    expect(await handleStream(deps, [record])).toEqual({ batchItemFailures: [] });
    const attemptedAt = clock()();
    expect(await deliver()).toBe(1);

    const [failed] = await deliveries(publisher.key, webhook.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });
    const delayMs = Date.parse(failed!.nextAttemptAt!) - attemptedAt.getTime();
    expect(delayMs).toBeGreaterThanOrEqual(29_000);
    expect(delayMs).toBeLessThanOrEqual(31_000);

    receiver.status = 204;
    expect(await deliver()).toBe(0);
    clock().advance(31_000);
    expect(await deliver()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    new Webhook(webhook.secret).verify(second!.body, second!.headers as Record<string, string>);
    expect((await deliveries(publisher.key, webhook.id))[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 });
    expect(await deliver()).toBe(0);
  });

  it('backs off exponentially on an unreachable endpoint and gives up after the last attempt', async () => {
    const local = await testDeps({ env: { WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_TIMEOUT_MS: '1000' } });
    const localApp = createApp(local);
    const publisher = await signup(localApp, 'publisher');
    const closed = await startReceiver();
    await closed.close();
    const hook = (await call(localApp, 'POST', '/v1/webhooks', { key: publisher.key, body: { url: closed.url, events: ['payout.requested'] } })).body;
    await seedEarnings(local, advertiser.id, publisher.id, 1_000_000);
    const payout = (await call(localApp, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 900_000 } })).body;
    const item = (await getItem<Record<string, unknown>>(local.db, keys.payout(payout.id), { consistent: true }))!;
    expect(await handleStream(local, [streamRecord('INSERT', item, '000000000001')])).toEqual({ batchItemFailures: [] });
    expect(await deliver(local)).toBe(1);

    const localClock = local.clock as MovableClock;
    const gaps: number[] = [];
    for (let attempt = 2; attempt <= 3; attempt++) {
      const [pending] = (await call(localApp, 'GET', `/v1/webhooks/${hook.id}/deliveries`, { key: publisher.key })).body.items;
      expect(pending).toMatchObject({ status: 'pending', attempts: attempt - 1 });
      expect(pending!.lastError).toBeTruthy();
      gaps.push(Date.parse(pending!.nextAttemptAt!) - Date.parse(pending!.lastAttemptAt!));
      localClock.set(new Date(Date.parse(pending!.nextAttemptAt!) + 1));
      expect(await deliver(local)).toBe(1);
    }
    expect(gaps).toEqual([30_000, 60_000]);
    const [given] = (await call(localApp, 'GET', `/v1/webhooks/${hook.id}/deliveries`, { key: publisher.key })).body.items;
    expect(given).toMatchObject({ status: 'failed', attempts: 3 });
    expect(given!.nextAttemptAt).toBeUndefined();
    localClock.advance(24 * 3600_000);
    expect(await deliver(local)).toBe(0);
  });

  it('gives up pending deliveries to a deleted webhook', async () => {
    const { publisher, webhook } = await publisherWithWebhook();
    const payout = (await call(app, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 1_000_000 } })).body;
    receiver.status = 503;
    await handleStream(deps, [(await payoutRecord(payout.id)).record]);
    await deliver();
    await call(app, 'DELETE', `/v1/webhooks/${webhook.id}`, { key: publisher.key });
    clock().advance(3600_000);
    expect(await deliver()).toBeGreaterThanOrEqual(1);
    const stored = (await scanEntity(deps, 'delivery')).filter((d) => d.webhookId === webhook.id);
    expect(stored).toMatchObject([{ status: 'failed', lastError: 'The webhook was deleted' }]);
    expect(receiver.received).toHaveLength(1);
  });
});

/** A local endpoint that accepts connections and reads requests but never answers, until told to hang up. */
async function startBlackHole(): Promise<{ url: string; open: () => number; hangUp: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  let requests = 0;
  const server = createServer(() => {
    requests += 1;
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hole`,
    open: () => requests,
    hangUp: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

describe('the delivery runner', () => {
  it('delivers tenant B’s event while four black-hole endpoints of tenant A hang, holding at most the per-tenant limit of connections', async () => {
    const local = await testDeps({ env: { WEBHOOK_TIMEOUT_MS: '600000', WEBHOOK_TENANT_CONCURRENCY: '2' } });
    const localApp = createApp(local);
    const hole = await startBlackHole();
    const a = await signup(localApp, 'publisher');
    const b = await signup(localApp, 'publisher');
    for (let i = 0; i < 4; i++)
      expect((await call(localApp, 'POST', '/v1/webhooks', { key: a.key, body: { url: `${hole.url}/${i}`, events: ['payout.requested'] } })).status).toBe(201);
    const bHook = (await call(localApp, 'POST', '/v1/webhooks', { key: b.key, body: { url: receiver.url, events: ['payout.requested'] } })).body;
    const records = [];
    for (const [i, tenant] of [a, b].entries()) {
      await seedEarnings(local, advertiser.id, tenant.id, 1_000_000);
      const payout = (await call(localApp, 'POST', '/v1/payouts', { key: tenant.key, body: { amountMicros: 500_000 } })).body;
      records.push(
        streamRecord(
          'INSERT',
          (await getItem<Record<string, unknown>>(local.db, keys.payout(payout.id), { consistent: true }))!,
          String(i + 1).padStart(12, '0'),
        ),
      );
    }
    // A's four deliveries are enqueued first, so they are the oldest due.
    expect(await handleStream(local, records)).toEqual({ batchItemFailures: [] });

    const run = deliveryRunner(local).run(60_000);
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(1);
    expect(JSON.parse(receiver.received[0]!.body).data.publisherId).toBe(b.id);
    expect((await call(localApp, 'GET', `/v1/webhooks/${bHook.id}/deliveries`, { key: b.key })).body.items).toMatchObject([
      { status: 'delivered', attempts: 1 },
    ]);
    // A's endpoints have answered nothing, and only two of A's four deliveries hold a connection.
    await expect.poll(hole.open, { timeout: 20_000 }).toBe(2);
    expect(hole.open()).toBe(2);
    const aDeliveries = (await scanEntity(local, 'delivery')).filter((d) => d.tenantId === a.id);
    expect(aDeliveries.map((d) => d.attempts)).toEqual([0, 0, 0, 0]);

    await hole.hangUp();
    await run;
    const after = (await scanEntity(local, 'delivery')).filter((d) => d.tenantId === a.id);
    expect(after.map((d) => [d.status, d.attempts])).toEqual(Array(4).fill(['pending', 1]));
  });

  it('opens the circuit of an endpoint that keeps failing: its deliveries wait out the cool-down without spending attempts', async () => {
    const local = await testDeps({ env: { WEBHOOK_TENANT_CONCURRENCY: '1', WEBHOOK_CIRCUIT_FAILURES: '2', WEBHOOK_CIRCUIT_COOLDOWN_SECONDS: '600' } });
    const localApp = createApp(local);
    const localClock = local.clock as MovableClock;
    const publisher = await signup(localApp, 'publisher');
    const hook = (
      await call(localApp, 'POST', '/v1/webhooks', { key: publisher.key, body: { url: receiver.url, events: ['payout.requested', 'payout.failed'] } })
    ).body;
    await seedEarnings(local, advertiser.id, publisher.id, 3_000_000);
    // Three events for the one endpoint: a payout requested, then failed, then another requested.
    const first = (await call(localApp, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 1_000_000 } })).body;
    const requested = (await getItem<Record<string, unknown>>(local.db, keys.payout(first.id), { consistent: true }))!;
    expect((await call(localApp, 'POST', `/v1/admin/payouts/${first.id}/failed`, { key: await adminKey(local) })).status).toBe(200);
    const failedItem = (await getItem<Record<string, unknown>>(local.db, keys.payout(first.id), { consistent: true }))!;
    const second = (await call(localApp, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 1_000_000 } })).body;
    const records = [
      streamRecord('INSERT', requested, '000000000001'),
      streamRecord('MODIFY', failedItem, '000000000002', requested),
      streamRecord('INSERT', (await getItem<Record<string, unknown>>(local.db, keys.payout(second.id), { consistent: true }))!, '000000000003'),
    ];
    await handleStream(local, records);
    const list = async () =>
      (await call(localApp, 'GET', `/v1/webhooks/${hook.id}/deliveries`, { key: publisher.key })).body.items as { attempts: number; status: string }[];

    receiver.status = 500;
    await deliver(local);
    // Two failures in a row open the circuit: the third delivery is not attempted.
    expect(receiver.received).toHaveLength(2);
    expect((await list()).map((d) => d.attempts).sort()).toEqual([0, 1, 1]);

    // Past the backoff (30 s) but inside the cool-down: still nothing is sent.
    localClock.advance(60_000);
    await deliver(local);
    expect(receiver.received).toHaveLength(2);

    // After the cool-down the endpoint has recovered: everything is delivered and the circuit closes.
    receiver.status = 200;
    localClock.advance(600_000);
    await deliver(local);
    expect(receiver.received).toHaveLength(5);
    expect((await list()).map((d) => [d.status, d.attempts]).sort()).toEqual([
      ['delivered', 1],
      ['delivered', 2],
      ['delivered', 2],
    ]);
    expect(await getItem(local.db, keys.webhook(hook.id))).toMatchObject({ failures: 0 });
  });
});

describe('webhook SSRF protection (private networks not allowed, as on every deployed stage)', () => {
  const strictDeps = async () => testDeps({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' } });

  it('refuses URLs naming loopback, private, link-local, metadata or reserved addresses in any spelling (400)', async () => {
    const strict = await strictDeps();
    const strictApp = createApp(strict);
    const publisher = await signup(strictApp, 'publisher');
    for (const url of [
      'https://127.0.0.1/hooks',
      'https://2130706433/hooks', // 127.0.0.1 in decimal
      'https://0x7f.0.0.1/hooks', // hex
      'https://0177.0.0.1/hooks', // octal
      'https://127.1/hooks',
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.8/hooks',
      'https://192.168.1.1/hooks',
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks', // IPv4-mapped IPv6
      'https://[fd00::1]/hooks',
      'https://[fe80::1]/hooks',
      'https://0.0.0.0/hooks',
      'https://224.0.0.1/hooks',
      'https://localhost/hooks',
    ]) {
      const res = await call(strictApp, 'POST', '/v1/webhooks', { key: publisher.key, body: { url, events: ['payout.paid'] } });
      expect(res.status, url).toBe(400);
      expect(res.problem.errors?.[0], url).toEqual({ field: 'url', message: 'must not point at a loopback, private, link-local or reserved address' });
    }
    expect(
      (await call(strictApp, 'POST', '/v1/webhooks', { key: publisher.key, body: { url: 'https://8.8.8.8/hooks', events: ['payout.paid'] } })).status,
    ).toBe(201);
  });

  it('never connects to this machine at delivery time, whether the URL names it by address or by a name that resolves to it', async () => {
    const strict = await strictDeps();
    // The same table, with private networks allowed: how these URLs got registered (e.g. a name
    // that resolved to a public address when checked, and to 127.0.0.1 when used).
    const permissive: Deps = { ...strict, config: { ...strict.config, WEBHOOK_ALLOW_PRIVATE_NETWORKS: true } };
    const permissiveApp = createApp(permissive);
    const publisher = await signup(permissiveApp, 'publisher');
    const port = new URL(receiver.url).port;
    for (const url of [`http://127.0.0.1:${port}/a`, `http://localhost:${port}/b`, `http://2130706433:${port}/c`]) {
      expect((await call(permissiveApp, 'POST', '/v1/webhooks', { key: publisher.key, body: { url, events: ['payout.requested'] } })).status).toBe(201);
    }
    await seedEarnings(strict, advertiser.id, publisher.id, 1_000_000);
    const payout = (await call(permissiveApp, 'POST', '/v1/payouts', { key: publisher.key, body: { amountMicros: 500_000 } })).body;
    await handleStream(strict, [
      streamRecord('INSERT', (await getItem<Record<string, unknown>>(strict.db, keys.payout(payout.id), { consistent: true }))!, '000000000001'),
    ]);

    expect(await deliver(strict)).toBe(3);
    expect(receiver.received).toEqual([]);
    const failed = await scanEntity(strict, 'delivery');
    expect(failed).toHaveLength(3);
    for (const d of failed)
      expect(d).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/^BlockedAddressError: .*not a public address/) });

    // The same deliveries, once private networks are allowed (local development), do arrive: the refusal above was the address check.
    (permissive.clock as MovableClock).advance(31_000);
    expect(await deliver(permissive)).toBe(3);
    expect(receiver.received).toHaveLength(3);
  });
});
