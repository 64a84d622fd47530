import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { eventData } from '../../../functions/store/entity.js';
import { deliveryKey, newWebhookSalt, nextAttemptAt, raisedNotify, validateWebhookUrl, webhookSecret } from '../../../functions/core/webhooks/webhooks.js';

const policy = { baseSeconds: 30, maxSeconds: 3600, maxAttempts: 8 };
const t0 = new Date('2026-11-24T12:00:00Z');

describe('nextAttemptAt', () => {
  it('does double the wait after each failed attempt, up to the cap, and gives up after the last', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map((n) => (nextAttemptAt(n, t0, policy)!.getTime() - t0.getTime()) / 1000);
    expect(waits).toEqual([30, 60, 120, 240, 480, 960, 1920]);
    expect(nextAttemptAt(3, t0, { ...policy, maxSeconds: 100 })!.getTime() - t0.getTime()).toBe(100_000);
    expect(nextAttemptAt(8, t0, policy)).toBeUndefined();
  });
});

describe('raisedNotify', () => {
  const note = { events: ['payout.paid'], tenantIds: ['tnt_1'], version: 2 };
  it('does raise a notify written with this version', () => {
    expect(raisedNotify({ version: 2, notify: note }, { version: 1 })).toEqual(note);
    expect(raisedNotify({ version: 2, notify: note }, undefined)).toEqual(note);
  });
  it('does not raise a stale notify, an unchanged version, or a removed item', () => {
    expect(raisedNotify({ version: 3, notify: note }, { version: 2 })).toBeUndefined();
    expect(raisedNotify({ version: 2, notify: note }, { version: 2, notify: note })).toBeUndefined();
    expect(raisedNotify(undefined, { version: 2, notify: note })).toBeUndefined();
    expect(raisedNotify({ version: 2 }, { version: 1 })).toBeUndefined();
  });
});

describe('validateWebhookUrl', () => {
  it('does accept https anywhere and http to this machine only where allowed', () => {
    expect(validateWebhookUrl('https://hooks.example.com/x', false)).toEqual([]);
    expect(validateWebhookUrl('http://127.0.0.1:8080/x', true)).toEqual([]);
    expect(validateWebhookUrl('http://localhost/x', true)).toEqual([]);
    expect(validateWebhookUrl('http://127.0.0.1:8080/x', false)).toHaveLength(1);
    expect(validateWebhookUrl('http://example.com/x', true)).toHaveLength(1);
    expect(validateWebhookUrl('https://user:pw@example.com/x', true)).toHaveLength(1);
    expect(validateWebhookUrl('nope', true)[0]!.field).toBe('url');
  });
});

describe('webhook payload pieces', () => {
  it('does strip storage attributes from event data', () => {
    expect(eventData({ pk: 'P', sk: 'S', gsi1pk: 'G', gsi2sk: 'H', entity: 'payout', notify: {}, id: 'pay_1', version: 2 })).toEqual({
      id: 'pay_1',
      version: 2,
    });
  });
  it('does key deliveries by item version, webhook and event', () => {
    const item = { pk: 'PAYOUT#1', sk: 'PAYOUT', version: 1 };
    expect(deliveryKey(item, 'whk_1', 'payout.paid')).toBe(deliveryKey({ ...item }, 'whk_1', 'payout.paid'));
    expect(deliveryKey({ ...item, version: 2 }, 'whk_1', 'payout.paid')).not.toBe(deliveryKey(item, 'whk_1', 'payout.paid'));
    expect(deliveryKey(item, 'whk_2', 'payout.paid')).not.toBe(deliveryKey(item, 'whk_1', 'payout.paid'));
  });
  it('does derive secrets the standardwebhooks library accepts, one per salt and server key', () => {
    const salt = newWebhookSalt();
    const secret = webhookSecret('server-key', salt);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(webhookSecret('server-key', salt)).toBe(secret);
    expect(webhookSecret('server-key', newWebhookSalt())).not.toBe(secret);
    expect(webhookSecret('another-key', salt)).not.toBe(secret);
    expect(secret).not.toContain(salt);
    const wh = new Webhook(secret);
    const now = new Date();
    const signature = wh.sign('msg_1', now, '{}');
    expect(wh.verify('{}', { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature })).toEqual(
      {},
    );
  });
});
