import type { Order, OrderState } from '../core/orders/order.js';
import { jobDueAt, type ActionResult } from '../core/orders/state-machine.js';
import { notify } from '../core/webhooks/webhooks.js';
import { batchGetItems } from './batch-get.js';
import type { Db } from './client.js';
import type { StoreContext } from './context.js';
import { changedMeanwhile, putOp, removeOp, saveOp, strip, type TxOp } from './entity.js';
import { getItem, queryPage } from './items.js';
import { keys, type Key } from './keys.js';
import type { Page } from './pagination.js';
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

// An order's version is part of the order (the API shows it), unlike other items'.
const toOrder = (item: Record<string, unknown>): Order => ({ ...strip<Order>(item), version: item.version as number });

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
  return saveOp(db, item, readVersion, changedMeanwhile(`Order ${order.id}`));
}

const dueKey = (order: Order): Key | undefined => {
  const dueAt = jobDueAt(order);
  return dueAt === undefined ? undefined : keys.orderDue(dueAt, order.id);
};

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
  if (oldDue && oldDue.sk !== newDue?.sk) ops.push(removeOp(db, oldDue));
  if (newDue) ops.push(putOp(db, { ...newDue, entity: 'orderDue', ...pointer }));
  if (after.state === 'disputed') ops.push(putOp(db, { ...keys.disputedOrder(after.id), entity: 'orderDisputed', ...pointer }));
  else if (before?.state === 'disputed') ops.push(removeOp(db, keys.disputedOrder(after.id)));
  return ops;
}

/**
 * Writes one step of an order in one transaction: the slot's booking (a new order), the order
 * (created, or conditional on the version of `before`), its pointers, the step's ledger postings,
 * and the slot's release. Nothing is written unless everything is; the first refused condition
 * in that order names the error.
 */
export async function saveOrderStep(
  ctx: Pick<StoreContext, 'db' | 'ids' | 'clock'>,
  before: Order | undefined,
  result: ActionResult,
  memo: string,
  slot: { booking?: readonly TxOp[]; release?: TxOp } = {},
): Promise<void> {
  const { order, postings } = result;
  const ops = [...(slot.booking ?? []), orderPutOp(ctx.db, result, before?.version), ...pointerOps(ctx.db, before, order)];
  if (postings.length > 0) ops.push(...ledgerTxn(ctx, { type: 'order', id: order.id }, memo, postings));
  if (slot.release) ops.push(slot.release);
  await transact(ctx.db, ops);
}

/** An order by id (consistent), or undefined. */
export async function readOrder(db: Db, id: string): Promise<Order | undefined> {
  const item = await getItem<Record<string, unknown>>(db, keys.order(id), { consistent: true });
  return item && toOrder(item);
}

async function getMany(db: Db, ids: readonly string[]): Promise<Map<string, Order>> {
  const items = await batchGetItems(
    db,
    [...new Set(ids)].map((id) => keys.order(id)),
  );
  return new Map([...items.values()].map((item) => [String(item.id), toOrder(item)]));
}

/** A page of a tenant's orders (both parties' lists, optionally in one state) or of the dispute queue, newest first. */
export async function listOrders(
  db: Db,
  list: { of: 'tenant'; tenantId: string; state?: OrderState } | { of: 'disputed' },
  page: { limit: number; cursor?: string },
): Promise<Page<Order>> {
  const out = await queryPage<Record<string, unknown>>(db, {
    ...(list.of === 'disputed' ? { pk: keys.disputedOrders() } : { pk: keys.tenantOrders(list.tenantId), index: 'gsi1' as const }),
    newestFirst: true,
    ...page,
    ...(list.of === 'tenant' && list.state
      ? {
          filter: {
            FilterExpression: '#state = :state',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':state': list.state },
          },
        }
      : {}),
  });
  const pointed = await getMany(
    db,
    out.items.filter((i) => i.entity !== 'order').map((i) => String(i.orderId)),
  );
  const items = out.items.map((i) => (i.entity === 'order' ? toOrder(i) : pointed.get(String(i.orderId)))).filter((o): o is Order => o !== undefined);
  return { items, nextCursor: out.nextCursor };
}

/** A page of the ids of orders whose deadline pointer is due by `now`, oldest first. */
export async function dueOrderIds(db: Db, now: Date, page: { limit: number; cursor?: string }): Promise<Page<string>> {
  const out = await queryPage<{ orderId: string }>(db, { pk: keys.ordersDue(), skBetween: ['0', `${now.toISOString()}#~`], ...page });
  return { items: out.items.map((i) => i.orderId), nextCursor: out.nextCursor };
}
