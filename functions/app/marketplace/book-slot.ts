import { assertBookable, slotNotOpen } from '../../core/marketplace/listing-rules.js';
import type { IsoDate } from '../../core/marketplace/slots.js';
import type { Db } from '../../store/client.js';
import type { TxOp } from '../../store/entity.js';
import { readSlot, slotBookingOp, type SlotRecord } from '../../store/marketplace.js';

/**
 * For orders: reads the slot (404 when missing or deleted), checks it can be booked `today` (409
 * when not open or dated before), and returns the update that books it — conditional on the slot
 * still being open and unchanged since this read — to put in the order's transaction.
 */
export async function slotBookingOps(db: Db, slotId: string, orderId: string, now: string, today: IsoDate): Promise<{ slot: SlotRecord; ops: TxOp[] }> {
  const { slot, version } = await readSlot(db, slotId);
  assertBookable(slot, today);
  return { slot, ops: [slotBookingOp(db, slot, version, orderId, now, () => slotNotOpen(slotId))] };
}
