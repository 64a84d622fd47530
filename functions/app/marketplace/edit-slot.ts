import { assertNotBooked, maySeeSlot } from '../../core/marketplace/listing-rules.js';
import { SlotPatch, assertNotPast, localDate, validateSlotFields } from '../../core/marketplace/slots.js';
import { NotFoundError, ValidationError } from '../../core/shared/errors.js';
import { parseInput } from '../../core/shared/inputs.js';
import type { StoreContext } from '../../store/context.js';
import { marketplaceStore, readSlot, type SlotRecord } from '../../store/marketplace.js';

type Ctx = Pick<StoreContext, 'db' | 'clock' | 'ids' | 'config'>;

/** A slot as anyone may read it: its owner always, others while it is on the market (404 otherwise). */
export async function marketSlot(ctx: Pick<StoreContext, 'db'>, tenantId: string, slotId: string): Promise<SlotRecord> {
  const { slot } = await readSlot(ctx.db, slotId);
  if (!maySeeSlot(tenantId, slot)) throw new NotFoundError(`Slot ${slotId} not found`);
  return slot;
}

/**
 * An owner edits a slot:
 * 0. parse the patch with its schema, as http does (400);
 * 1. load it (404 unless theirs), with its version;
 * 2. refuse a new date before today in the market's time zone (400), as listing does; refuse a booked slot (409), apply the patch (a custom article without committed reads drops
 *    them) and check the fields (400);
 * 3. save it conditional on the version read, moving its date + position guard (409 when taken).
 */
export async function updateSlot(ctx: Ctx, tenantId: string, slotId: string, input: SlotPatch): Promise<SlotRecord> {
  const patch = parseInput(SlotPatch, input, 'slot');
  const { slot, version } = await readSlot(ctx.db, slotId, tenantId);
  if (patch.publishDate !== undefined)
    assertNotPast('publishDate', patch.publishDate, localDate(ctx.clock(), ctx.config.MARKET_TIMEZONE), ctx.config.MARKET_TIMEZONE);
  assertNotBooked(slot, 'changed');
  const next: SlotRecord = { ...slot, ...patch, updatedAt: ctx.clock().toISOString() };
  if (patch.format === 'custom_article' && patch.committedReads === undefined) delete next.committedReads;
  const issues = validateSlotFields(next);
  if (issues.length > 0) throw new ValidationError('Invalid slot', issues);
  await marketplaceStore(ctx.db, ctx.clock, ctx.ids).saveSlot(slot, next, version);
  return next;
}

/** An owner deletes a slot that is not booked (409 when it is; 404 unless theirs): its date + position are free again. */
export async function deleteSlot(ctx: Ctx, tenantId: string, slotId: string): Promise<void> {
  const { slot, version } = await readSlot(ctx.db, slotId, tenantId);
  assertNotBooked(slot, 'deleted');
  await marketplaceStore(ctx.db, ctx.clock, ctx.ids).deleteSlot(slot, version);
}
