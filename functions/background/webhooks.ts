import { Webhook } from 'standardwebhooks';
import { deliveryKey, isWebhookEvent, raisedNotify, webhookPayload } from '../core/webhooks/webhooks.js';
import type { Deps } from '../deps.js';
import { webhookStore, type AttemptOutcome, type DeliveryRecord, type SigningWebhook } from '../store/webhooks.js';
import type { Job } from './jobs.js';
import type { StreamConsumer } from './stream.js';

/** How many due deliveries one run of the retry job attempts. */
const RETRY_BATCH = 50;

/**
 * Sends one attempt, signed per Standard Webhooks (webhook-id is the delivery id, the same on
 * every attempt, so receivers can dedupe). Never throws: an endpoint failing is an outcome.
 */
async function post(deps: Deps, webhook: SigningWebhook, delivery: DeliveryRecord, at: Date): Promise<AttemptOutcome> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Placard-Webhooks/1',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(webhook.secret).sign(delivery.id, at, delivery.payload),
  };
  try {
    const res = await fetch(webhook.url, { method: 'POST', headers, body: delivery.payload, redirect: 'manual', signal: AbortSignal.timeout(deps.config.WEBHOOK_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Attempts a delivery and records the outcome; a webhook deleted since gives the delivery up. */
async function attempt(deps: Deps, delivery: DeliveryRecord, webhook: SigningWebhook | undefined): Promise<void> {
  const at = deps.clock();
  const outcome: AttemptOutcome = webhook ? await post(deps, webhook, delivery, at) : { ok: false, final: true, error: 'The webhook was deleted' };
  await webhookStore(deps).recordAttempt(delivery, outcome, at);
}

/**
 * Webhook notifications, from the stream.
 *
 * The contract with every writer (orders, payouts): an item whose write should notify webhooks
 * carries `notify: { events: string[], tenantIds: string[], version: number }` (core/webhooks
 * `notify()`), written in the same write as its state change, with `notify.version ===
 * item.version`. On INSERT or MODIFY whose new image's notify belongs to that version (and whose
 * version changed), every webhook of every tenant in tenantIds subscribed to an event gets a
 * delivery: `{ type: event, timestamp, data: <the item without pk/sk/gsi*\/entity/notify> }`.
 * A write that should not notify simply leaves the old `notify` behind: its version no longer matches.
 *
 * Each delivery is keyed by (item pk/sk/version, webhook, event), so a batch Lambda retries
 * creates and sends nothing twice. It is attempted at once; a failing endpoint is recorded and
 * retried by the job below, and never fails the batch (only store errors do).
 */
export const webhookNotifications: StreamConsumer = {
  name: 'webhooks',
  async handle(deps, change) {
    const note = raisedNotify(change.newImage, change.oldImage);
    if (!note || !change.newImage) return;
    const item = change.newImage as { pk: unknown; sk: unknown; version: unknown } & Record<string, unknown>;
    const store = webhookStore(deps);
    for (const tenantId of note.tenantIds) {
      for (const event of note.events.filter(isWebhookEvent)) {
        for (const webhook of await store.subscribers(tenantId, event)) {
          const delivery = await store.createDelivery(webhook, deliveryKey(item, webhook.id, event), event, webhookPayload(event, deps.clock(), item));
          if (delivery) await attempt(deps, delivery, webhook);
        }
      }
    }
  },
};

/** Retries deliveries whose backoff has passed (a Query on the due index, oldest first). */
export const webhookRetries: Job = {
  name: 'webhook-retries',
  async run(deps, now) {
    const store = webhookStore(deps);
    const due = await store.due(now, RETRY_BATCH);
    await Promise.all(due.map(async (delivery) => attempt(deps, delivery, await store.signing(delivery.webhookId))));
    return due.length;
  },
};
