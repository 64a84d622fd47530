import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { handleStream } from '../../functions/background/stream.js';
import { deliveryRunner } from '../../functions/background/webhooks.js';
import { createApp } from '../../functions/http/app.js';
import type { Deps } from '../../functions/deps.js';
import { getItem } from '../../functions/store/items.js';
import { keys } from '../../functions/store/keys.js';
import { streamRecord } from '../fixtures/events.js';
import { movableClock, testDeps } from '../support/deps.js';
import { call, signup } from '../support/http.js';
import { fund, placeOrder, PRICE, slotsOf } from '../support/orders.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let receiver: Receiver;

beforeAll(async () => {
  // Receivers check a signature's timestamp against their own (real) clock, so the platform's clock starts at real time here.
  deps = await testDeps({ clock: movableClock(new Date()) });
  app = createApp(deps);
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe('order webhooks (the notify contract with the orders store)', () => {
  it('tells both parties’ subscribed webhooks of each order step, signed', async () => {
    const advertiser = await signup(app, 'advertiser');
    const publisher = await signup(app, 'publisher');
    const secrets = new Map<string, string>();
    for (const party of [advertiser, publisher]) {
      const hook = await call(app, 'POST', '/v1/webhooks', { key: party.key, body: { url: receiver.url, events: ['order.requested', 'order.accepted'] } });
      secrets.set(party.id, hook.body.secret);
    }
    await fund(deps, advertiser.id, PRICE);
    const [slot] = await slotsOf(deps, publisher.id, 1, { format: 'custom_article' });
    const order = await placeOrder(app, advertiser.key, slot!.id);
    const requested = (await getItem<Record<string, unknown>>(deps.db, keys.order(order.id), { consistent: true }))!;
    expect((await call(app, 'POST', `/v1/orders/${order.id}/accept`, { key: publisher.key, body: {} })).status).toBe(200);
    const accepted = (await getItem<Record<string, unknown>>(deps.db, keys.order(order.id), { consistent: true }))!;

    const records = [streamRecord('INSERT', requested, '000000000001'), streamRecord('MODIFY', accepted, '000000000002', requested)];
    expect(await handleStream(deps, records)).toEqual({ batchItemFailures: [] });
    await handleStream(deps, records);
    await deliveryRunner(deps).run(60_000);

    // Each party's webhook has its own secret: the one that verifies a delivery says whom it was for.
    const seen = receiver.received.map((r) => {
      const body = JSON.parse(r.body) as { type: string; data: { id: string; state: string } };
      const verifiedBy = [...secrets].find(([, secret]) => {
        try {
          new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      })?.[0];
      return `${verifiedBy === advertiser.id ? 'advertiser' : verifiedBy === publisher.id ? 'publisher' : 'unverified'} ${body.type} ${body.data.state}`;
    });
    expect(seen.sort()).toEqual([
      'advertiser order.accepted accepted',
      'advertiser order.requested requested',
      'publisher order.accepted accepted',
      'publisher order.requested requested',
    ]);
  });
});
