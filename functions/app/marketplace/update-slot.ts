import { assertNotPast, localDate } from '../../core/marketplace/slots.js';
import type { Deps } from '../../deps.js';
import { marketplaceStore, type SlotPatch, type SlotRecord } from '../../store/marketplace.js';

/**
 * Edits a publisher's slot.
 * 1. Refuses a new date before today in the market's time zone (400), as listing does.
 * 2. Writes the edit (store; 404 for another tenant's slot, 409 once booked or for a taken date).
 */
export async function updateSlot(deps: Pick<Deps, 'db' | 'clock' | 'ids' | 'config'>, owner: string, slotId: string, patch: SlotPatch): Promise<SlotRecord> {
  if (patch.publishDate !== undefined)
    assertNotPast('publishDate', patch.publishDate, localDate(deps.clock(), deps.config.MARKET_TIMEZONE), deps.config.MARKET_TIMEZONE);
  return marketplaceStore(deps.db, deps.clock, deps.ids).updateSlot(owner, slotId, patch);
}
