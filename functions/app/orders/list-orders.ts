import { orderList, type OrderCaller } from '../../core/orders/callers.js';
import type { Order, OrderState } from '../../core/orders/order.js';
import type { StoreContext } from '../../store/context.js';
import { listOrders as listFromStore } from '../../store/orders.js';
import type { Page } from '../../store/pagination.js';

/**
 * The caller's orders, newest first: an advertiser's or publisher's own (optionally in one state),
 * or for the operator the disputes waiting for a resolution (400 for another state).
 */
export async function listOrders(
  ctx: Pick<StoreContext, 'db'>,
  caller: Exclude<OrderCaller, { role: 'system' }>,
  filter: { state?: OrderState },
  page: { limit: number; cursor?: string },
): Promise<Page<Order>> {
  return listFromStore(ctx.db, orderList(caller, filter.state), page);
}
