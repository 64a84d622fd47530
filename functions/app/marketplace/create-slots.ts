import { SlotListing, assertNotPast, expandRecurrence, localDate, type SlotDraft } from '../../core/marketplace/slots.js';
import { parseInput } from '../../core/shared/inputs.js';
import type { Deps } from '../../deps.js';
import { marketplaceStore, type SlotRecord } from '../../store/marketplace.js';

/**
 * Lists slots on a publisher's account: one dated slot, or every listed weekday of a date range.
 * 0. Parses the listing with its schema, as http does (400).
 * 1. Refuses a date before today in the market's time zone (400): a past slot can never run.
 * 2. Expands a weekday rule (core).
 * 3. Writes them all or none (store; 404 for another tenant's account, 409 for a taken date).
 */
export async function createSlots(
  deps: Pick<Deps, 'db' | 'clock' | 'ids' | 'config'>,
  owner: string,
  accountId: string,
  input: SlotListing,
): Promise<SlotRecord[]> {
  const { publishDate, from, to, weekdays, ...fields } = parseInput(SlotListing, input, 'slot listing');
  const today = localDate(deps.clock(), deps.config.MARKET_TIMEZONE);
  const first = publishDate === undefined ? { field: 'from', date: from } : { field: 'publishDate', date: publishDate };
  if (first.date !== undefined) assertNotPast(first.field, first.date, today, deps.config.MARKET_TIMEZONE);
  const drafts: SlotDraft[] = publishDate
    ? [{ ...fields, publishDate }]
    : expandRecurrence({ ...fields, from: from ?? '', to: to ?? '', weekdays: weekdays ?? [] });
  return marketplaceStore(deps.db, deps.clock, deps.ids).createSlots(owner, accountId, drafts);
}
