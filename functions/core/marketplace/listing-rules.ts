import { ConflictError } from '../shared/errors.js';
import type { SlotStatus } from './catalog.js';
import { isPast, type IsoDate } from './slots.js';

/** A slot as these rules see it; a deleted slot is a tombstone that no one reads. */
interface ListedSlot {
  id: string;
  status: SlotStatus | 'deleted';
  publishDate: IsoDate;
  ownerTenantId: string;
}

export const slotNotOpen = (slotId: string): ConflictError => new ConflictError(`Slot ${slotId} is not open`, { slotId });

/** A slot can be booked while it is open and its date is not before `today` (the market's time zone). */
export function assertBookable(slot: ListedSlot, today: IsoDate): void {
  if (slot.status !== 'open') throw slotNotOpen(slot.id);
  if (isPast(slot.publishDate, today))
    throw new ConflictError(`Slot ${slot.id} is dated ${slot.publishDate}, before today (${today}): it can no longer be booked`, { slotId: slot.id });
}

/** A booked slot belongs to its order: its owner can no longer change or delete it. */
export function assertNotBooked(slot: ListedSlot, change: 'changed' | 'deleted'): void {
  if (slot.status === 'booked') throw new ConflictError(`Slot ${slot.id} is booked; it can no longer be ${change}`);
}

/** Who may read a slot: its owner always; others while it is on the market (open or booked). */
export const maySeeSlot = (tenantId: string, slot: ListedSlot): boolean =>
  slot.ownerTenantId === tenantId || slot.status === 'open' || slot.status === 'booked';

/** The operator's decision on an account's audience data. */
export type AudienceReview = { verdict: 'verified'; note?: string } | { verdict: 'rejected'; reason: string };

type Reviewable = { audience: { source: string; updatedAt: string }; verification: { status: string }; updatedAt: string };

/**
 * An account after the operator's review: a verified audience says so (`source: verified`), a
 * rejected one stays self-reported with the reason; both are dated `at`.
 */
export function reviewAudience<A extends Reviewable>(account: A, review: AudienceReview, at: string): A {
  const verification =
    review.verdict === 'verified'
      ? { status: 'verified' as const, ...(review.note ? { note: review.note } : {}), decidedAt: at }
      : { status: 'rejected' as const, reason: review.reason, decidedAt: at };
  const source = review.verdict === 'verified' ? 'verified' : 'self_reported';
  return { ...account, verification, audience: { ...account.audience, source, updatedAt: at }, updatedAt: at };
}
