import { localDate } from '../../core/marketplace/slots.js';
import type { Order, OrderBrief } from '../../core/orders/order.js';
import { newOrder } from '../../core/orders/state-machine.js';
import type { StoreContext } from '../../store/context.js';
import { saveOrderStep } from '../../store/orders.js';
import { slotBookingOps } from '../marketplace/book-slot.js';
import { orderConfig } from './act-on-order.js';

export interface PlaceOrderInput {
  slotId: string;
  brief: OrderBrief;
}

/**
 * An advertiser books a slot:
 * 1. read the slot (404 when missing) and check it can be booked today (409);
 * 2. make the order (core);
 * 3. in one transaction book the slot (409 when it is no longer open), write the order and its
 *    pointers, and hold the price (402 when available funds do not cover it). Nothing is written
 *    unless everything is.
 */
export async function placeOrder(ctx: Pick<StoreContext, 'db' | 'ids' | 'clock' | 'config'>, advertiserId: string, input: PlaceOrderInput): Promise<Order> {
  const { clock, config } = ctx;
  const now = clock();
  const id = ctx.ids('ord');
  const { slot, ops: booking } = await slotBookingOps(ctx.db, input.slotId, id, now.toISOString(), localDate(now, config.MARKET_TIMEZONE));
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
  await saveOrderStep(ctx, undefined, result, `Order ${id}: hold for slot ${slot.id}`, { booking });
  return result.order;
}
