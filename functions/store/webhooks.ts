import { ConflictError } from '../core/shared/errors.js';
import { nextAttemptAt, webhookSecret, type WebhookEvent } from '../core/webhooks/webhooks.js';
import type { StoreContext } from './context.js';
import { getItem, getOwned, queryPage } from './items.js';
import { keys } from './keys.js';
import type { Page } from './pagination.js';
import { createOp, removeOp, updateOp } from './entity.js';
import { refusal, transact, tryTransact, tryWriteOne } from './transact.js';

/**
 * Webhooks and their deliveries.
 *
 * Items (keys.ts):
 * - webhook `WEBHOOK#<id> / WEBHOOK`, gsi1 `TENANT#<tenant>#WEBHOOKS` (the tenant's list, read by
 *   the stream consumer to find subscribers). It keeps a salt, not its signing secret: the secret
 *   is derived from the salt and the server key (`trackingSecret`) when signing, returned once
 *   on create, and never logged or stored;
 * - a counter `TENANT#<tenant> / WEBHOOKS`, changed in the same transactions, caps webhooks per tenant;
 * - delivery `WEBHOOK#<webhook> / DLV#<id>` (time-ordered ids: the list is newest first), with the
 *   exact body so every attempt sends the same bytes; while it waits for an attempt it is on
 *   gsi1 `DELIVERIES#DUE` by `<nextAttemptAt>#<id>`, which the delivery runner queries. A runner
 *   claims a delivery before posting by moving it past the attempt's timeout (conditional on its
 *   version), so two runners never post it at once and a runner that dies leaves it due again;
 * - the webhook carries its circuit-breaker state: `failures` in a row and `circuitOpenUntil`;
 * - a guard `DLVKEY#<key> / DLVKEY` per (item version, webhook, event), written with the delivery,
 *   so a stream record seen twice creates (and sends) one delivery.
 * Guards and deliveries expire by TTL (`expiresAt`).
 */
export interface Webhook {
  id: string;
  tenantId: string;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
}

export interface SigningWebhook extends Webhook {
  secret: string;
  /** Failed attempts in a row (circuit breaker), and until when the circuit is open. */
  failures?: number;
  circuitOpenUntil?: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  id: string;
  webhookId: string;
  tenantId: string;
  event: WebhookEvent;
  status: DeliveryStatus;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: string;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
}

export interface DeliveryRecord extends Delivery {
  payload: string;
  version: number;
}

export interface AttemptOutcome {
  ok: boolean;
  /** No further attempts, whatever the schedule says (the webhook is gone). */
  final?: boolean;
  status?: number;
  error?: string;
}

const webhookOf = ({ id, tenantId, url, events, createdAt }: Webhook): Webhook => ({ id, tenantId, url, events, createdAt });
const deliveryOf = ({
  id,
  webhookId,
  tenantId,
  event,
  status,
  attempts,
  lastStatus,
  lastError,
  createdAt,
  lastAttemptAt,
  nextAttemptAt,
  deliveredAt,
}: Delivery): Delivery => ({ id, webhookId, tenantId, event, status, attempts, lastStatus, lastError, createdAt, lastAttemptAt, nextAttemptAt, deliveredAt });

/** A guard must outlive the stream's 24 h retention (a record can come back that long); deliveries are kept a month for the list. */
const GUARD_TTL_SECONDS = 2 * 24 * 3600;
const DELIVERY_TTL_SECONDS = 30 * 24 * 3600;

export function webhookStore(deps: Pick<StoreContext, 'db' | 'ids' | 'clock' | 'config' | 'trackingSecret'>) {
  const { db, config } = deps;
  const dueSk = (at: string, id: string) => `${at}#${id}`;
  // Keeps the circuit-breaker state (failures, circuitOpenUntil) that the delivery runner reads.
  type Stored = Omit<SigningWebhook, 'secret'> & { secretSalt: string };
  const withSecret = async ({ failures, circuitOpenUntil, secretSalt, ...stored }: Stored): Promise<SigningWebhook> => ({
    ...webhookOf(stored),
    ...(failures === undefined ? {} : { failures }),
    ...(circuitOpenUntil === undefined ? {} : { circuitOpenUntil }),
    secret: webhookSecret(await deps.trackingSecret(), secretSalt),
  });

  return {
    /** Writes a new webhook with the salt of its secret, counted against WEBHOOKS_PER_TENANT (409 beyond). */
    async create(webhook: Webhook, secretSalt: string): Promise<void> {
      const { tenantId } = webhook;
      await transact(db, [
        updateOp(
          db,
          keys.webhookCount(tenantId),
          { add: { webhooks: 1 }, set: { entity: 'webhookCount' } },
          { below: { webhooks: config.WEBHOOKS_PER_TENANT } },
          () => new ConflictError(`A tenant has at most ${config.WEBHOOKS_PER_TENANT} webhooks; delete one first`),
        ),
        createOp(db, {
          ...keys.webhook(webhook.id),
          gsi1pk: keys.tenantWebhooks(tenantId),
          gsi1sk: webhook.id,
          entity: 'webhook',
          version: 1,
          ...webhook,
          secretSalt,
        }),
      ]);
    },

    async get(tenantId: string | undefined, webhookId: string): Promise<Webhook> {
      return webhookOf(await getOwned<Webhook & Record<string, unknown>>(db, keys.webhook(webhookId), 'Webhook', webhookId, tenantId, 'tenantId'));
    },

    async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<Webhook>> {
      const out = await queryPage<Webhook>(db, { pk: keys.tenantWebhooks(tenantId), index: 'gsi1', ...page });
      return { items: out.items.map(webhookOf), nextCursor: out.nextCursor };
    },

    async delete(tenantId: string, webhookId: string): Promise<void> {
      await this.get(tenantId, webhookId);
      await transact(db, [
        removeOp(db, keys.webhook(webhookId), { exists: true }, () => new ConflictError(`Webhook ${webhookId} was deleted meanwhile`)),
        updateOp(db, keys.webhookCount(tenantId), { add: { webhooks: -1 } }),
      ]);
    },

    /** The tenant's webhooks subscribed to an event, with their secrets: for signing only. */
    async subscribers(tenantId: string, event: WebhookEvent): Promise<SigningWebhook[]> {
      const out = await queryPage<Stored>(db, { pk: keys.tenantWebhooks(tenantId), index: 'gsi1', limit: config.WEBHOOKS_PER_TENANT });
      return Promise.all(out.items.filter((w) => w.events.includes(event)).map(withSecret));
    },

    /** The webhook a delivery goes to, with its secret; undefined once deleted. */
    async signing(webhookId: string): Promise<SigningWebhook | undefined> {
      const stored = await getItem<Stored>(db, keys.webhook(webhookId));
      return stored && withSecret(stored);
    },

    async listDeliveries(tenantId: string, webhookId: string, page: { limit: number; cursor?: string }): Promise<Page<Delivery>> {
      await this.get(tenantId, webhookId);
      const out = await queryPage<Delivery>(db, { pk: keys.webhook(webhookId).pk, skPrefix: 'DLV#', newestFirst: true, ...page });
      return { items: out.items.map(deliveryOf), nextCursor: out.nextCursor };
    },

    /**
     * Creates a delivery, due now, unless one already exists under the same key (a stream record
     * seen again): then it returns undefined and sends nothing, since an existing delivery either
     * succeeded, or is on the due index where the retry job finds it.
     */
    async createDelivery(webhook: Webhook, deliveryKey: string, event: WebhookEvent, payload: string): Promise<DeliveryRecord | undefined> {
      const at = deps.clock();
      const now = at.toISOString();
      const expiresIn = (seconds: number) => Math.floor(at.getTime() / 1000) + seconds;
      const delivery: DeliveryRecord = {
        id: deps.ids('dlv'),
        webhookId: webhook.id,
        tenantId: webhook.tenantId,
        event,
        status: 'pending',
        attempts: 0,
        createdAt: now,
        nextAttemptAt: now,
        payload,
        version: 1,
      };
      const guard = createOp(db, {
        ...keys.deliveryGuard(deliveryKey),
        entity: 'deliveryGuard',
        version: 1,
        deliveryId: delivery.id,
        webhookId: webhook.id,
        expiresAt: expiresIn(GUARD_TTL_SECONDS),
      });
      const ops = [
        guard,
        createOp(db, {
          ...keys.delivery(webhook.id, delivery.id),
          gsi1pk: keys.deliveriesDue(),
          gsi1sk: dueSk(now, delivery.id),
          entity: 'delivery',
          ...delivery,
          expiresAt: expiresIn(DELIVERY_TTL_SECONDS),
        }),
      ];
      const outcome = await tryTransact(db, ops);
      // The guard exists: a replayed stream record, whose delivery was made the first time.
      if (!outcome.ok && ops[outcome.op] === guard) return undefined;
      if (!outcome.ok) throw refusal(ops, outcome);
      return delivery;
    },

    /**
     * Moves a delivery's next attempt to `until` (conditional on the version read), without
     * counting an attempt: a claim before posting, or a wait while the endpoint's circuit is
     * open. Returns the delivery as claimed, or undefined when another runner got there first.
     */
    async postpone(delivery: DeliveryRecord, until: Date): Promise<DeliveryRecord | undefined> {
      const nextAttemptAt = until.toISOString();
      const version = delivery.version + 1;
      // The version read is one on the due index: a delivery leaves it only with a new version (recordAttempt).
      const claim = updateOp(
        db,
        keys.delivery(delivery.webhookId, delivery.id),
        { set: { nextAttemptAt, gsi1sk: dueSk(nextAttemptAt, delivery.id), version } },
        { is: { version: delivery.version } },
      );
      return (await tryWriteOne(db, claim)).ok ? { ...delivery, nextAttemptAt, version } : undefined;
    },

    /** Counts a failed attempt against the endpoint and returns its failures in a row. */
    async recordEndpointFailure(webhookId: string): Promise<number> {
      // A deleted webhook counts nothing.
      const out = await tryWriteOne(db, updateOp(db, keys.webhook(webhookId), { add: { failures: 1 } }, { exists: true }));
      return out.ok ? Number(out.attributes?.failures ?? 0) : 0;
    },

    /** Opens the endpoint's circuit until `until`, or closes it (and clears its failures) with undefined. */
    async setCircuit(webhookId: string, until: Date | undefined): Promise<void> {
      const change = until ? { set: { circuitOpenUntil: until.toISOString() } } : { set: { failures: 0 }, remove: ['circuitOpenUntil'] };
      // A deleted webhook has no circuit: refused, nothing to do.
      await tryWriteOne(db, updateOp(db, keys.webhook(webhookId), change, { exists: true }));
    },

    /** Deliveries whose next attempt is due at `now`, oldest first (a Query on the due index). */
    async due(now: Date, limit: number): Promise<DeliveryRecord[]> {
      const out = await queryPage<DeliveryRecord>(db, { pk: keys.deliveriesDue(), index: 'gsi1', skBetween: ['0', `${now.toISOString()}#~`], limit });
      return out.items;
    },

    /**
     * Records an attempt: delivered, due again after the backoff, or failed for good after the
     * last attempt. Conditional on the version read; false when another attempt got there first.
     */
    async recordAttempt(delivery: DeliveryRecord, outcome: AttemptOutcome, at: Date): Promise<boolean> {
      const attempts = delivery.attempts + 1;
      const next =
        outcome.ok || outcome.final
          ? undefined
          : nextAttemptAt(attempts, at, {
              baseSeconds: config.WEBHOOK_RETRY_BASE_SECONDS,
              maxSeconds: config.WEBHOOK_RETRY_MAX_SECONDS,
              maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
            });
      const status: DeliveryStatus = outcome.ok ? 'delivered' : next ? 'pending' : 'failed';
      const optional = { lastStatus: outcome.status, lastError: outcome.error?.slice(0, 500) };
      const change = {
        set: {
          status,
          attempts,
          lastAttemptAt: at.toISOString(),
          version: delivery.version + 1,
          ...optional,
          ...(outcome.ok ? { deliveredAt: at.toISOString() } : {}),
          ...(next ? { nextAttemptAt: next.toISOString(), gsi1sk: dueSk(next.toISOString(), delivery.id) } : {}),
        },
        // An attempt without a status or an error clears the last one's; a delivery with no next attempt leaves the due index.
        remove: [
          ...Object.keys(optional).filter((k) => optional[k as keyof typeof optional] === undefined),
          ...(next ? [] : ['nextAttemptAt', 'gsi1pk', 'gsi1sk']),
        ],
      };
      return (await tryWriteOne(db, updateOp(db, keys.delivery(delivery.webhookId, delivery.id), change, { is: { version: delivery.version } }))).ok;
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
