import { beforeAll, describe, expect, it } from 'vitest';
import { runJobs } from '../../functions/background/jobs.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { getItem } from '../../functions/store/items.js';
import { keys } from '../../functions/store/keys.js';
import { adminKey, movableClock, testDeps, type MovableClock } from '../support/deps.js';
import { call, type RequestBody, signup } from '../support/http.js';
import { openApiDocument } from '../support/openapi-document.js';
import { aBrief, type ApiOrderAction, balance, COMMITTED_READS, fund, placeOrder, PRICE, slotsOf } from '../support/orders.js';
import { everything } from '../support/table.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let admin: string;
let advertiser: { id: string; key: string };
let publisher: { id: string; key: string };
let clock: MovableClock;

const HOUR = 3_600_000;
const FEE = PRICE / 10; // default PLATFORM_FEE_BPS = 1000
const proof = (reads?: number) => ({
  postUrl: 'https://mp.example.com/s/abc',
  publishedAt: new Date(clock().getTime() - 60_000).toISOString(),
  ...(reads === undefined ? {} : { reads }),
});
const act = (key: string, id: string, action: ApiOrderAction, body?: RequestBody<'POST', `/v1/orders/${string}/${ApiOrderAction}`>) =>
  call(app, 'POST', `/v1/orders/${id}/${action}`, { key, body });
const slotStatus = async (slotId: string) => (await getItem<{ status: string }>(deps.db, keys.slot(slotId), { consistent: true }))?.status;

async function newSlot(format: 'ad_card' | 'custom_article') {
  const [slot] = await slotsOf(deps, publisher.id, 1, { format });
  return slot!;
}

beforeAll(async () => {
  clock = movableClock();
  deps = await testDeps({ clock });
  app = createApp(deps);
  admin = await adminKey(deps);
  [advertiser, publisher] = await Promise.all([signup(app, 'advertiser'), signup(app, 'publisher')]);
  await fund(deps, advertiser.id, 100 * PRICE);
});

describe('placing an order', () => {
  it('holds the price, books the slot, and shows the order to both parties', async () => {
    const slot = await newSlot('ad_card');
    const heldBefore = await balance(deps, `advertiser:${advertiser.id}:held`);
    const order = await placeOrder(app, advertiser.key, slot.id);
    expect(order).toMatchObject({
      state: 'requested',
      slotId: slot.id,
      publisherId: publisher.id,
      priceMicros: PRICE,
      heldMicros: PRICE,
      committedReads: COMMITTED_READS,
      format: 'ad_card',
      brief: aBrief,
      version: 1,
    });
    expect(order.allowedActions).toEqual(['cancel']);
    expect(order.timeline).toEqual([
      expect.objectContaining({ action: 'request', from: null, to: 'requested', actor: { role: 'advertiser', tenantId: advertiser.id } }),
    ]);
    expect(await balance(deps, `advertiser:${advertiser.id}:held`)).toBe(heldBefore + PRICE);
    expect(await slotStatus(slot.id)).toBe('booked');

    const seen = await call(app, 'GET', `/v1/orders/${order.id}`, { key: publisher.key });
    expect(seen.status).toBe(200);
    expect(seen.body.allowedActions).toEqual(['accept', 'reject']);
    for (const party of [advertiser, publisher]) {
      const list = await call(app, 'GET', '/v1/orders?state=requested', { key: party.key });
      expect(list.body.items.map((o: { id: string }) => o.id)).toContain(order.id);
      const none = await call(app, 'GET', '/v1/orders?state=completed', { key: party.key });
      expect(none.body.items.map((o: { id: string }) => o.id)).not.toContain(order.id);
    }
    const stored = await getItem<Record<string, unknown>>(deps.db, keys.order(order.id));
    expect(stored?.notify).toEqual({ events: ['order.requested'], tenantIds: [advertiser.id, publisher.id], version: 1 });
  });

  it('answers 402 when available funds do not cover the price, and changes nothing', async () => {
    const poor = await signup(app, 'advertiser');
    await fund(deps, poor.id, PRICE - 1);
    const slot = await newSlot('ad_card');
    const res = await call(app, 'POST', '/v1/orders', { key: poor.key, body: { slotId: slot.id, brief: aBrief } });
    expect(res.status).toBe(402);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await balance(deps, `advertiser:${poor.id}:available`)).toBe(PRICE - 1);
    expect(await slotStatus(slot.id)).toBe('open');
    expect((await call(app, 'GET', '/v1/orders', { key: poor.key })).body.items).toEqual([]);
  });

  it('returns the first order again for a retry with the same Idempotency-Key, holding once', async () => {
    const slot = await newSlot('ad_card');
    const held = await balance(deps, `advertiser:${advertiser.id}:held`);
    const send = () =>
      call(app, 'POST', '/v1/orders', { key: advertiser.key, body: { slotId: slot.id, brief: aBrief }, headers: { 'idempotency-key': `book-${slot.id}` } });
    const first = await send();
    const retry = await send();
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await balance(deps, `advertiser:${advertiser.id}:held`)).toBe(held + PRICE);
  });

  it('is in the OpenAPI document, with every action', async () => {
    const doc = await openApiDocument(app);
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/orders'));
    expect(paths).toHaveLength(2 + 10);
    expect(doc.paths['/v1/orders/{id}/resolve']?.post?.requestBody?.content['application/json']?.schema).toBeDefined();
  });

  it('answers 409 for a slot already booked, and 404 for an unknown slot', async () => {
    const slot = await newSlot('custom_article');
    await placeOrder(app, advertiser.key, slot.id);
    const available = await balance(deps, `advertiser:${advertiser.id}:available`);
    const res = await call(app, 'POST', '/v1/orders', { key: advertiser.key, body: { slotId: slot.id, brief: aBrief } });
    expect(res.status).toBe(409);
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(available);
    expect((await call(app, 'POST', '/v1/orders', { key: advertiser.key, body: { slotId: 'slot_nope', brief: aBrief } })).status).toBe(404);
  });
});

describe('an ad card order', () => {
  it('runs accept → publish with reads → confirm, refunding the read shortfall pro rata', async () => {
    const pub0 = await balance(deps, `publisher:${publisher.id}:earned`);
    const rev0 = await balance(deps, 'platform:revenue');
    const order = await placeOrder(app, advertiser.key, (await newSlot('ad_card')).id);
    expect((await act(publisher.key, order.id, 'accept')).body.state).toBe('scheduled');
    const published = await act(publisher.key, order.id, 'publish', proof(COMMITTED_READS * 0.75));
    expect(published.body).toMatchObject({ state: 'published', proof: { reads: 7500 } });
    expect(published.body.deadlines.reviewEndsAt).toBeDefined();
    const done = await act(advertiser.key, order.id, 'confirm', { note: 'looks good' });
    expect(done.status).toBe(200);
    const refund = PRICE / 4;
    const captured = PRICE - refund;
    expect(done.body).toMatchObject({
      state: 'completed',
      heldMicros: 0,
      settlement: { refundedMicros: refund, capturedMicros: captured, feeMicros: captured / 10, ownerMicros: captured * 0.9 },
    });
    expect(done.body.timeline.map((e: { to: string }) => e.to)).toEqual(['requested', 'scheduled', 'published', 'completed']);
    expect(done.body.timeline.at(-1)).toMatchObject({ from: 'published', to: 'completed', note: 'looks good', actor: { role: 'advertiser' } });
    expect(await balance(deps, `publisher:${publisher.id}:earned`)).toBe(pub0 + captured * 0.9);
    expect(await balance(deps, 'platform:revenue')).toBe(rev0 + captured / 10);
  });

  it('refuses proof without reads when reads were committed', async () => {
    const order = await placeOrder(app, advertiser.key, (await newSlot('ad_card')).id);
    await act(publisher.key, order.id, 'accept');
    const res = await act(publisher.key, order.id, 'publish', proof());
    expect(res.status).toBe(400);
    expect(res.problem.errors?.[0]?.field).toBe('reads');
  });
});

describe('a custom article order', () => {
  it('goes through drafts and changes, then a dispute the operator settles in part', async () => {
    const order = await placeOrder(app, advertiser.key, (await newSlot('custom_article')).id);
    expect((await act(publisher.key, order.id, 'accept')).body.state).toBe('accepted');
    expect((await act(publisher.key, order.id, 'submit-draft', { content: 'Draft one' })).body.state).toBe('in_review');
    expect((await act(advertiser.key, order.id, 'request-changes', { note: 'shorter please' })).body.state).toBe('accepted');
    await act(publisher.key, order.id, 'submit-draft', { content: 'Draft two', previewUrl: 'https://preview.example.com/2' });
    expect((await act(advertiser.key, order.id, 'approve')).body.state).toBe('scheduled');
    await act(publisher.key, order.id, 'publish', proof());
    const disputed = await act(advertiser.key, order.id, 'dispute', { reason: 'post was taken down after an hour' });
    expect(disputed.body).toMatchObject({ state: 'disputed', disputeReason: 'post was taken down after an hour' });
    const queue = async () => (await call(app, 'GET', '/v1/orders?state=disputed', { key: admin })).body.items.map((o: { id: string }) => o.id);
    expect(await queue()).toContain(order.id);
    expect((await act(advertiser.key, order.id, 'resolve', { outcome: 'pay' })).status).toBe(403);
    const available = await balance(deps, `advertiser:${advertiser.id}:available`);
    const resolved = await act(admin, order.id, 'resolve', { outcome: 'partial', refundMicros: PRICE / 2, note: 'half the run' });
    expect(resolved.body).toMatchObject({ state: 'partially_refunded', heldMicros: 0, settlement: { refundedMicros: PRICE / 2 } });
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(available + PRICE / 2);
    expect(await queue()).not.toContain(order.id);
  });
});

describe('ending without publication', () => {
  it.each([
    ['reject', 'publisher', 'rejected'],
    ['cancel', 'advertiser', 'cancelled'],
  ] as const)('%s releases the hold and reopens the slot', async (action, who, state) => {
    const slot = await newSlot('ad_card');
    const available = await balance(deps, `advertiser:${advertiser.id}:available`);
    const order = await placeOrder(app, advertiser.key, slot.id);
    const res = await act(who === 'publisher' ? publisher.key : advertiser.key, order.id, action, { reason: 'dates moved' });
    expect(res.body).toMatchObject({ state, heldMicros: 0, allowedActions: [] });
    expect(await balance(deps, `advertiser:${advertiser.id}:available`)).toBe(available);
    expect(await slotStatus(slot.id)).toBe('open');
    expect((await call(app, 'POST', '/v1/orders', { key: advertiser.key, body: { slotId: slot.id, brief: aBrief } })).status).toBe(201);
  });

  it('answers an illegal action with 409 naming the state and the allowed actions', async () => {
    const order = await placeOrder(app, advertiser.key, (await newSlot('ad_card')).id);
    const res = await act(advertiser.key, order.id, 'confirm');
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.problem).toMatchObject({ state: 'requested', allowedActions: ['cancel'] });
  });
});

describe('deadlines', () => {
  it('expires an unanswered request after the owner response time, refunding it and reopening the slot', async () => {
    // Its own advertiser: other tests' unanswered orders expire in the same run.
    const buyer = await signup(app, 'advertiser');
    await fund(deps, buyer.id, PRICE);
    const slot = await newSlot('custom_article');
    const order = await placeOrder(app, buyer.key, slot.id);
    clock.advance(47 * HOUR);
    await runJobs(deps);
    expect((await call(app, 'GET', `/v1/orders/${order.id}`, { key: buyer.key })).body.state).toBe('requested');
    clock.advance(1 * HOUR);
    const report = await runJobs(deps);
    expect(report.results.find((r) => r.job === 'order-deadlines')?.handled).toBeGreaterThanOrEqual(1);
    const expired = await call(app, 'GET', `/v1/orders/${order.id}`, { key: buyer.key });
    expect(expired.body).toMatchObject({ state: 'expired', heldMicros: 0 });
    expect(expired.body.timeline.at(-1)).toMatchObject({ actor: { role: 'system' }, from: 'requested', to: 'expired' });
    expect(await balance(deps, `advertiser:${buyer.id}:available`)).toBe(PRICE);
    expect(await slotStatus(slot.id)).toBe('open');
    expect((await act(publisher.key, order.id, 'accept')).status).toBe(409);
  });

  it('completes a published order when the review window ends, and refuses a late dispute', async () => {
    const order = await placeOrder(app, advertiser.key, (await newSlot('ad_card')).id);
    await act(publisher.key, order.id, 'accept');
    await act(publisher.key, order.id, 'publish', proof(COMMITTED_READS));
    clock.advance(72 * HOUR);
    const late = await act(advertiser.key, order.id, 'dispute', { reason: 'too late' });
    expect(late.status).toBe(409);
    expect(late.problem.state).toBe('published');
    await runJobs(deps);
    const done = await call(app, 'GET', `/v1/orders/${order.id}`, { key: publisher.key });
    expect(done.body).toMatchObject({ state: 'completed', heldMicros: 0, settlement: { refundedMicros: 0, capturedMicros: PRICE, feeMicros: FEE } });
    const due = await everything(deps);
    expect((due.get('orderDue') ?? []).map((p) => p.orderId)).not.toContain(order.id);
  });
});
