import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ValidationError } from '../core/shared/errors.js';
import { newWebhookSalt, nextAttemptAt, validateWebhookUrl, webhookSecret, type WebhookEvent } from '../core/webhooks/webhooks.js';
import type { StoreContext } from './context.js';
import { getItem, getOwned, queryPage } from './items.js';
import { keys } from './keys.js';
import type { Page } from './pagination.js';
import { createOp } from './entity.js';
import { isConditionFailure, refusal, transact, tryTransact } from './transact.js';

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
    /** Registers a webhook and returns its signing secret, this once. At most WEBHOOKS_PER_TENANT per tenant (409 beyond). */
    async create(tenantId: string, input: { url: string; events: WebhookEvent[] }): Promise<{ webhook: Webhook; secret: string }> {
      const issues = validateWebhookUrl(input.url, config.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
      if (issues.length > 0) throw new ValidationError('Invalid webhook', issues);
      const webhook: Webhook = { id: deps.ids('whk'), tenantId, url: input.url, events: [...new Set(input.events)], createdAt: deps.clock().toISOString() };
      const secretSalt = newWebhookSalt();
      const secret = webhookSecret(await deps.trackingSecret(), secretSalt);
      await transact(db, [
        {
          item: {
            Update: {
              TableName: db.tableName,
              Key: keys.webhookCount(tenantId),
              UpdateExpression: 'ADD webhooks :one SET entity = :entity',
              ConditionExpression: 'attribute_not_exists(webhooks) OR webhooks < :max',
              ExpressionAttributeValues: { ':one': 1, ':max': config.WEBHOOKS_PER_TENANT, ':entity': 'webhookCount' },
            },
          },
          onConditionFail: () => new ConflictError(`A tenant has at most ${config.WEBHOOKS_PER_TENANT} webhooks; delete one first`),
        },
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
      return { webhook, secret };
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
        {
          item: { Delete: { TableName: db.tableName, Key: keys.webhook(webhookId), ConditionExpression: 'attribute_exists(pk)' } },
          onConditionFail: () => new ConflictError(`Webhook ${webhookId} was deleted meanwhile`),
        },
        {
          item: {
            Update: {
              TableName: db.tableName,
              Key: keys.webhookCount(tenantId),
              UpdateExpression: 'ADD webhooks :minus',
              ExpressionAttributeValues: { ':minus': -1 },
            },
          },
        },
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
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.tableName,
            Key: keys.delivery(delivery.webhookId, delivery.id),
            UpdateExpression: 'SET nextAttemptAt = :due, gsi1sk = :dueSk, version = :next',
            ConditionExpression: 'version = :version AND attribute_exists(gsi1pk)',
            ExpressionAttributeValues: {
              ':due': nextAttemptAt,
              ':dueSk': dueSk(nextAttemptAt, delivery.id),
              ':version': delivery.version,
              ':next': delivery.version + 1,
            },
          }),
        );
        return { ...delivery, nextAttemptAt, version: delivery.version + 1 };
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    /** Counts a failed attempt against the endpoint and returns its failures in a row. */
    async recordEndpointFailure(webhookId: string): Promise<number> {
      try {
        const out = await db.doc.send(
          new UpdateCommand({
            TableName: db.tableName,
            Key: keys.webhook(webhookId),
            UpdateExpression: 'ADD failures :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':one': 1 },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(out.Attributes?.failures ?? 0);
      } catch (error) {
        if (isConditionFailure(error)) return 0;
        throw error;
      }
    },

    /** Opens the endpoint's circuit until `until`, or closes it (and clears its failures) with undefined. */
    async setCircuit(webhookId: string, until: Date | undefined): Promise<void> {
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.tableName,
            Key: keys.webhook(webhookId),
            UpdateExpression: until ? 'SET circuitOpenUntil = :until' : 'SET failures = :zero REMOVE circuitOpenUntil',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: until ? { ':until': until.toISOString() } : { ':zero': 0 },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
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
      const values: Record<string, unknown> = {
        ':status': status,
        ':attempts': attempts,
        ':at': at.toISOString(),
        ':version': delivery.version,
        ':next': delivery.version + 1,
      };
      const sets = ['#status = :status', 'attempts = :attempts', 'lastAttemptAt = :at', 'version = :next'];
      const removes: string[] = [];
      for (const [name, value] of [
        ['lastStatus', outcome.status],
        ['lastError', outcome.error?.slice(0, 500)],
      ] as const) {
        if (value === undefined) {
          removes.push(name);
          continue;
        }
        sets.push(`${name} = :${name}`);
        values[`:${name}`] = value;
      }
      if (outcome.ok) sets.push('deliveredAt = :at');
      if (next) {
        sets.push('nextAttemptAt = :due', 'gsi1sk = :dueSk');
        values[':due'] = next.toISOString();
        values[':dueSk'] = dueSk(next.toISOString(), delivery.id);
      } else removes.push('nextAttemptAt', 'gsi1pk', 'gsi1sk');
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.tableName,
            Key: keys.delivery(delivery.webhookId, delivery.id),
            UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: 'version = :version',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
