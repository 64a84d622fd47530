import { Webhook } from 'standardwebhooks';
import { circuitOpenUntil, deliveryKey, isWebhookEvent, raisedNotify, webhookPayload } from '../core/webhooks/webhooks.js';
import type { Deps } from '../deps.js';
import { eventData } from '../store/entity.js';
import { webhookStore, type AttemptOutcome, type DeliveryRecord, type SigningWebhook } from '../store/webhooks.js';
import type { StreamConsumer } from './stream-consumer.js';
import type { Job } from './job.js';
import { postWebhook } from './webhook-http.js';

/** How many due deliveries one look of the runner reads (oldest first). */
const DUE_BATCH = 200;
/** A claim outlives the attempt's timeout by this much, so a slow attempt is never claimed twice. */
const CLAIM_MARGIN_MS = 30_000;
/** How long one run of the jobs function keeps delivering (its Lambda timeout is 60 s). */
const JOB_BUDGET_MS = 40_000;

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
    const status = await postWebhook(webhook.url, {
      headers,
      body: delivery.payload,
      timeoutMs: deps.config.WEBHOOK_TIMEOUT_MS,
      allowPrivateNetworks: deps.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    });
    return status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/**
 * Webhook notifications, from the stream: it only enqueues.
 *
 * The contract with every writer (orders, payouts): an item whose write should notify webhooks
 * carries `notify: { events: string[], tenantIds: string[], version: number }` (core/webhooks
 * `notify()`), written in the same write as its state change, with `notify.version ===
 * item.version`. On INSERT or MODIFY whose new image's notify belongs to that version (and whose
 * version changed), every webhook of every tenant in tenantIds subscribed to an event gets a
 * delivery, due now: `{ type: event, timestamp, data: <the item without pk/sk/gsi*\/entity/notify> }`.
 * A write that should not notify simply leaves the old `notify` behind: its version no longer matches.
 *
 * Each delivery is keyed by (item pk/sk/version, webhook, event), so a batch Lambda retries
 * creates nothing twice. Nothing is posted here: the delivery runner does that apart, so no
 * endpoint, however slow, holds up the stream or another tenant.
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
          await store.createDelivery(webhook, deliveryKey(item, webhook.id, event), event, webhookPayload(event, deps.clock(), eventData(item)));
        }
      }
    }
  },
};

/**
 * Delivers due deliveries concurrently, at most WEBHOOK_TENANT_CONCURRENCY of one tenant at a
 * time, so endpoints that hang hold up only their own tenant's queue. Each attempt:
 * 1. skip the delivery if its tenant has no free slot (it stays due for the next look);
 * 2. read its webhook; while the endpoint's circuit is open, move the delivery to the end of the
 *    cool-down without spending an attempt;
 * 3. claim it (move it past the attempt's timeout, conditional on its version), post, record the
 *    outcome with its backoff, and count the endpoint's failures in a row: reaching
 *    WEBHOOK_CIRCUIT_FAILURES opens its circuit for WEBHOOK_CIRCUIT_COOLDOWN_SECONDS; a success closes it.
 */
export class DeliveryRunner {
  private readonly inFlight = new Map<string, number>();
  private readonly deliveries = new Set<string>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: Deps) {}

  /** Starts the due deliveries there is room for, without waiting for them; says how many it started. */
  async tick(): Promise<number> {
    const { deps } = this;
    const due = await webhookStore(deps).due(deps.clock(), DUE_BATCH);
    let started = 0;
    for (const delivery of due) {
      const busy = this.inFlight.get(delivery.tenantId) ?? 0;
      if (busy >= deps.config.WEBHOOK_TENANT_CONCURRENCY || this.deliveries.has(delivery.id)) continue;
      this.inFlight.set(delivery.tenantId, busy + 1);
      this.deliveries.add(delivery.id);
      const task: Promise<void> = this.attempt(delivery)
        .catch((error: unknown) => deps.logger.error('webhook delivery failed', { deliveryId: delivery.id, error }))
        .finally(() => {
          this.inFlight.set(delivery.tenantId, (this.inFlight.get(delivery.tenantId) ?? 1) - 1);
          this.deliveries.delete(delivery.id);
          this.running.delete(task);
        });
      this.running.add(task);
      started += 1;
    }
    return started;
  }

  /**
   * Keeps delivering until nothing is due and nothing is in flight, or `budgetMs` has passed;
   * then waits for what is in flight. Says how many deliveries it started.
   */
  async run(budgetMs: number): Promise<number> {
    const deadline = this.deps.clock().getTime() + budgetMs;
    let handled = 0;
    while (this.deps.clock().getTime() < deadline) {
      const started = await this.tick();
      handled += started;
      if (this.running.size === 0 && started === 0) break;
      if (this.running.size > 0) await Promise.race(this.running);
    }
    await this.drain();
    return handled;
  }

  /** Waits for every attempt in flight. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    const { deps } = this;
    const store = webhookStore(deps);
    const at = deps.clock();
    const webhook = await store.signing(delivery.webhookId);
    if (!webhook) {
      await store.recordAttempt(delivery, { ok: false, final: true, error: 'The webhook was deleted' }, at);
      return;
    }
    if (webhook.circuitOpenUntil && webhook.circuitOpenUntil > at.toISOString()) {
      await store.postpone(delivery, new Date(webhook.circuitOpenUntil));
      return;
    }
    const claimed = await store.postpone(delivery, new Date(at.getTime() + deps.config.WEBHOOK_TIMEOUT_MS + CLAIM_MARGIN_MS));
    if (!claimed) return;
    const outcome = await post(deps, webhook, claimed, at);
    await store.recordAttempt(claimed, outcome, deps.clock());
    if (outcome.ok) {
      if (webhook.failures) await store.setCircuit(webhook.id, undefined);
      return;
    }
    const failures = await store.recordEndpointFailure(webhook.id);
    const openUntil = circuitOpenUntil(failures, deps.clock(), {
      failures: deps.config.WEBHOOK_CIRCUIT_FAILURES,
      cooldownSeconds: deps.config.WEBHOOK_CIRCUIT_COOLDOWN_SECONDS,
    });
    if (openUntil) await store.setCircuit(webhook.id, openUntil);
  }
}

/** One runner per process (the jobs function and the local runner share it), so the per-tenant limit holds across both. */
const runners = new WeakMap<Deps, DeliveryRunner>();
export function deliveryRunner(deps: Deps): DeliveryRunner {
  let runner = runners.get(deps);
  if (!runner) {
    runner = new DeliveryRunner(deps);
    runners.set(deps, runner);
  }
  return runner;
}

/** Delivers what is due (new deliveries, and retries whose backoff has passed) on every run of the jobs function. */
export const webhookDeliveries: Job = {
  name: 'webhook-deliveries',
  async run(deps) {
    return deliveryRunner(deps).run(JOB_BUDGET_MS);
  },
};
