import type { Config } from '../../config.js';
import { actorOf, maySee, reopensSlot, type OrderCaller } from '../../core/orders/callers.js';
import type { Order, OrderAction, OrderConfig } from '../../core/orders/order.js';
import { applyAction, type ActionInputs } from '../../core/orders/state-machine.js';
import { NotFoundError } from '../../core/shared/errors.js';
import type { StoreContext } from '../../store/context.js';
import { slotReleaseOp } from '../../store/marketplace.js';
import { readOrder, saveOrderStep } from '../../store/orders.js';

type Ctx = Pick<StoreContext, 'db' | 'ids' | 'clock' | 'config'>;

export function orderConfig(config: Pick<Config, 'PLATFORM_FEE_BPS' | 'OWNER_RESPONSE_HOURS' | 'REVIEW_WINDOW_HOURS'>): OrderConfig {
  return { feeBps: config.PLATFORM_FEE_BPS, ownerResponseHours: config.OWNER_RESPONSE_HOURS, reviewWindowHours: config.REVIEW_WINDOW_HOURS };
}

/** Reads an order the caller may see; another tenant's order answers like a missing one (404). */
export async function readVisibleOrder(ctx: Pick<StoreContext, 'db'>, caller: OrderCaller, id: string): Promise<Order> {
  const order = await readOrder(ctx.db, id);
  if (!order || !maySee(caller, order)) throw new NotFoundError(`Order ${id} not found`);
  return order;
}

/**
 * One step of an order: the state machine decides (core: 409 when the action is not open to the
 * caller now), and the store writes the order, its pointers and postings, and gives the slot back
 * when the order ends before its post ran — all in one transaction, conditional on the version read.
 */
export async function stepOrder<A extends OrderAction>(
  ctx: Ctx,
  caller: OrderCaller,
  order: Order,
  action: A,
  input: ActionInputs[A] | undefined,
  now: Date,
): Promise<Order> {
  const result = applyAction(order, action, input, { actor: actorOf(caller), now, config: orderConfig(ctx.config) });
  const release = reopensSlot(result.order) ? slotReleaseOp(ctx.db, { id: order.slotId, orderId: order.id }, result.order.updatedAt) : undefined;
  await saveOrderStep(ctx, order, result, `Order ${order.id}: ${action}`, release ? { release } : {});
  return result.order;
}

/** Applies an action for the caller: 404 unless the order is theirs (or they are the operator). */
export async function actOnOrder<A extends OrderAction>(
  ctx: Ctx,
  caller: OrderCaller,
  id: string,
  action: A,
  input: ActionInputs[A] | undefined,
): Promise<Order> {
  return stepOrder(ctx, caller, await readVisibleOrder(ctx, caller, id), action, input, ctx.clock());
}
