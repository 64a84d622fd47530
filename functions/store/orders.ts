import type { Config } from '../config.js';
import { localDate } from '../core/marketplace/slots.js';
import { type Order, type OrderAction, type OrderActorRole, type OrderBrief, type OrderConfig, type OrderState } from '../core/orders/order.js';
import { applyAction, dueJobs, jobDueAt, newOrder, type ActionInputs, type ActionResult } from '../core/orders/state-machine.js';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../core/shared/errors.js';
import type { Principal } from '../core/tenants/tenants.js';
import { notify } from '../core/webhooks/webhooks.js';
import type { Deps } from '../deps.js';
import { batchGetItems } from './batch-get.js';
import type { Db } from './client.js';
import { getItem, queryPage } from './items.js';
import { keys, type Key } from './keys.js';
import { slotBookingOps, slotReleaseOp } from './marketplace.js';
import type { Page } from './pagination.js';
import type { TxOp } from './entity.js';
import { transact } from './transact.js';
import { ledgerTxn } from './wallet.js';

/**
 * Direct bookings (DESIGN §4). Items (keys.ts):
 * - order `ORDER#<id> / ORDER`, on the advertiser's list (gsi1 `TENANT#<advertiser>#ORDERS` by id);
 * - a pointer `TENANT#<publisher> / ORDER#<id>` carrying the state, on the publisher's list
 *   (gsi1 `TENANT#<publisher>#ORDERS`): an item has one gsi1 pair, and both parties list orders;
 * - a deadline pointer `ORDERS#DUE / <dueAt>#<id>` while a system action is pending (`jobDueAt`),
 *   so the jobs function finds due orders with one Query;
 * - a queue entry `ORDERS#DISPUTED / <id>` while the order waits for the operator's resolution.
 * Every write of an order is one transaction: the order (conditional on the version read), both
 * pointers, the ledger postings of the step, and the slot when booking or giving it back. The
 * order carries `notify` (events, parties, version) for the webhook stream in the same write.
 */

/** Who acts: an authenticated tenant or operator, or the jobs function. */
export type OrderCaller = Pick<Principal, 'tenantId' | 'role'> | { role: 'system' };

export interface PlaceOrderInput {
  slotId: string;
  brief: OrderBrief;
}

export interface OrderListFilter {
  state?: OrderState;
}

const ACTOR_ROLES: Record<OrderCaller['role'], OrderActorRole> = { advertiser: 'advertiser', publisher: 'owner', admin: 'admin', system: 'system' };

/** The order-machine role of a caller: the publisher of the slot's account is its `owner`. */
export const actorRole = (role: OrderCaller['role']): OrderActorRole => ACTOR_ROLES[role];

/** Final states in which the post never ran: the slot goes back on the market. */
const SLOT_REOPENS: ReadonlySet<OrderState> = new Set<OrderState>(['rejected', 'expired', 'cancelled']);

/** At most this many due orders per jobs run, so one run stays well inside the Lambda timeout. */
const MAX_DUE_PER_RUN = 500;
const DUE_PAGE = 100;

export function orderConfig(config: Pick<Config, 'PLATFORM_FEE_BPS' | 'OWNER_RESPONSE_HOURS' | 'REVIEW_WINDOW_HOURS'>): OrderConfig {
  return { feeBps: config.PLATFORM_FEE_BPS, ownerResponseHours: config.OWNER_RESPONSE_HOURS, reviewWindowHours: config.REVIEW_WINDOW_HOURS };
}

const STORAGE_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity', 'notify'] as const;

function toOrder(item: Record<string, unknown>): Order {
  const copy = { ...item };
  for (const k of STORAGE_ATTRIBUTES) delete copy[k];
  return copy as unknown as Order;
}

function orderPutOp(db: Db, result: ActionResult, readVersion?: number): TxOp {
  const { order, events } = result;
  const item = {
    ...keys.order(order.id),
    gsi1pk: keys.tenantOrders(order.advertiserId),
    gsi1sk: order.id,
    entity: 'order',
    ...order,
    notify: notify(events, [order.advertiserId, order.publisherId], order.version),
  };
  const condition =
    readVersion === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': readVersion } };
  return {
    item: { Put: { TableName: db.tableName, Item: item, ...condition } },
    onConditionFail: () => new ConflictError(`Order ${order.id} changed while this request ran; read it again and retry`),
  };
}

const dueKey = (order: Order): Key | undefined => {
  const dueAt = jobDueAt(order);
  return dueAt === undefined ? undefined : keys.orderDue(dueAt, order.id);
};

const putOp = (db: Db, item: Key & Record<string, unknown>): TxOp => ({ item: { Put: { TableName: db.tableName, Item: item } } });
const deleteOp = (db: Db, key: Key): TxOp => ({ item: { Delete: { TableName: db.tableName, Key: key } } });

/** The publisher's pointer, the deadline pointer and the dispute queue entry, moved along with the order. */
function pointerOps(db: Db, before: Order | undefined, after: Order): TxOp[] {
  const pointer = { version: after.version, orderId: after.id };
  const ops = [
    putOp(db, {
      ...keys.orderRef(after.publisherId, after.id),
      gsi1pk: keys.tenantOrders(after.publisherId),
      gsi1sk: after.id,
      entity: 'orderRef',
      ...pointer,
      state: after.state,
    }),
  ];
  const oldDue = before && dueKey(before);
  const newDue = dueKey(after);
  if (oldDue && oldDue.sk !== newDue?.sk) ops.push(deleteOp(db, oldDue));
  if (newDue) ops.push(putOp(db, { ...newDue, entity: 'orderDue', ...pointer }));
  if (after.state === 'disputed') ops.push(putOp(db, { ...keys.disputedOrder(after.id), entity: 'orderDisputed', ...pointer }));
  else if (before?.state === 'disputed') ops.push(deleteOp(db, keys.disputedOrder(after.id)));
  return ops;
}

/** Everything one step of an order writes, for one transaction. */
function stepOps(deps: Pick<Deps, 'db' | 'ids' | 'clock'>, before: Order | undefined, result: ActionResult, memo: string): TxOp[] {
  const { order, postings } = result;
  const ops = [orderPutOp(deps.db, result, before?.version), ...pointerOps(deps.db, before, order)];
  if (postings.length > 0) ops.push(...ledgerTxn(deps, { type: 'order', id: order.id }, memo, postings));
  if (before && SLOT_REOPENS.has(order.state)) ops.push(slotReleaseOp(deps.db, { id: order.slotId, orderId: order.id }, order.updatedAt));
  return ops;
}

function maySee(caller: OrderCaller, order: Order): boolean {
  if (caller.role === 'advertiser') return order.advertiserId === caller.tenantId;
  if (caller.role === 'publisher') return order.publisherId === caller.tenantId;
  return true;
}

export function orderStore(deps: Pick<Deps, 'db' | 'ids' | 'clock' | 'config'>) {
  const { db, clock, config } = deps;

  /** Reads an order the caller may see; another tenant's order answers like a missing one. */
  async function read(caller: OrderCaller, id: string): Promise<Order> {
    const item = await getItem<Record<string, unknown>>(db, keys.order(id), { consistent: true });
    const order = item && toOrder(item);
    if (!order || !maySee(caller, order)) throw new NotFoundError(`Order ${id} not found`);
    return order;
  }

  async function step<A extends OrderAction>(caller: OrderCaller, order: Order, action: A, input: ActionInputs[A] | undefined, now: Date): Promise<Order> {
    const actor = { role: actorRole(caller.role), ...('tenantId' in caller ? { tenantId: caller.tenantId } : {}) };
    const result = applyAction(order, action, input, { actor, now, config: orderConfig(config) });
    await transact(db, stepOps(deps, order, result, `Order ${order.id}: ${action}`));
    return result.order;
  }

  async function getMany(ids: readonly string[]): Promise<Map<string, Order>> {
    const items = await batchGetItems(
      db,
      [...new Set(ids)].map((id) => keys.order(id)),
    );
    return new Map([...items.values()].map((item) => [String(item.id), toOrder(item)]));
  }

  return {
    /**
     * Books a slot: reads it (404 when missing), makes the order, and in one transaction books the
     * slot (409 when it is no longer open), writes the order and its pointers, and holds the price
     * (402 when available funds do not cover it). Nothing is written unless everything is.
     */
    async place(advertiserId: string, input: PlaceOrderInput): Promise<Order> {
      const now = clock();
      const id = deps.ids('ord');
      const { slot, ops: booking } = await slotBookingOps(db, input.slotId, id, now.toISOString(), localDate(now, config.MARKET_TIMEZONE));
      const result = newOrder(
        {
          advertiserId,
          publisherId: slot.ownerTenantId,
          accountId: slot.accountId,
          slotId: slot.id,
          format: slot.format,
          ...(slot.committedReads === undefined ? {} : { committedReads: slot.committedReads }),
          priceMicros: slot.priceMicros,
          currency: config.CURRENCY,
          brief: input.brief,
        },
        { ids: () => id, now, config: orderConfig(config) },
      );
      await transact(db, [...booking, ...stepOps(deps, undefined, result, `Order ${id}: hold for slot ${slot.id}`)]);
      return result.order;
    },

    get: read,

    /** Applies an action for the caller: 404 unless the order is theirs (or they are the operator). */
    async act<A extends OrderAction>(caller: OrderCaller, id: string, action: A, input: ActionInputs[A] | undefined): Promise<Order> {
      return step(caller, await read(caller, id), action, input, clock());
    },

    /**
     * The caller's orders, newest first: an advertiser's or publisher's own, or for the operator the
     * disputes waiting for a resolution (the only list an operator needs; any order reads by id).
     */
    async list(caller: Exclude<OrderCaller, { role: 'system' }>, filter: OrderListFilter, page: { limit: number; cursor?: string }): Promise<Page<Order>> {
      const operator = caller.role === 'admin';
      if (operator && filter.state !== undefined && filter.state !== 'disputed') {
        throw new ValidationError('Operators list the disputed orders', [{ field: 'state', message: 'must be disputed (or left out) for an operator' }]);
      }
      const out = await queryPage<Record<string, unknown>>(db, {
        ...(operator ? { pk: keys.disputedOrders() } : { pk: keys.tenantOrders(caller.tenantId), index: 'gsi1' as const }),
        newestFirst: true,
        ...page,
        ...(filter.state && !operator
          ? {
              filter: {
                FilterExpression: '#state = :state',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':state': filter.state },
              },
            }
          : {}),
      });
      const pointed = await getMany(out.items.filter((i) => i.entity !== 'order').map((i) => String(i.orderId)));
      const items = out.items.map((i) => (i.entity === 'order' ? toOrder(i) : pointed.get(String(i.orderId)))).filter((o): o is Order => o !== undefined);
      return { items, nextCursor: out.nextCursor };
    },

    /**
     * The jobs function's pass: applies `expire` / `auto-complete` to every order whose deadline
     * pointer is due at `now`. An order that moved on meanwhile (a late accept, a dispute) is
     * skipped: the pointer went with that move, or the version check refuses the stale step.
     */
    async runDue(now: Date): Promise<number> {
      let handled = 0;
      let cursor: string | undefined;
      do {
        const page = await queryPage<{ orderId: string }>(db, { pk: keys.ordersDue(), skBetween: ['0', `${now.toISOString()}#~`], limit: DUE_PAGE, cursor });
        for (const due of page.items) {
          const item = await getItem<Record<string, unknown>>(db, keys.order(due.orderId), { consistent: true });
          const order = item && toOrder(item);
          const action = order && dueJobs(order, now);
          if (!order || !action) continue;
          try {
            await step({ role: 'system' }, order, action, { note: 'deadline passed' }, now);
            handled += 1;
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
          }
        }
        cursor = page.nextCursor;
      } while (cursor && handled < MAX_DUE_PER_RUN);
      return handled;
    },
  };
}

export type OrderStore = ReturnType<typeof orderStore>;
