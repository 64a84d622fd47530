import type { Candidate } from '../core/marketplace/matching.js';
import type { MarketAccount } from '../core/marketplace/browse.js';
import type { Slot } from '../core/marketplace/slots.js';
import type { Clock } from '../core/shared/clock.js';
import { ChangeFeed } from './change-feed.js';
import type { Db } from './client.js';
import { strip } from './entity.js';
import type { AccountRecord, SlotRecord } from './marketplace.js';

/**
 * The marketplace as search and match see it: every listed account and its open slots, held in
 * memory and kept fresh from the 'market' change feed (at most one small Query per second per
 * process; nothing already seen is read again). See README, "Marketplace search: why an
 * in-memory snapshot".
 */
export interface MarketView {
  accounts: MarketAccount[];
  byId: ReadonlyMap<string, MarketAccount>;
  /** Open slots with their accounts, by publish date. */
  candidates: Candidate[];
}

type FeedItem = (AccountRecord | SlotRecord) & { id: string };

export class MarketSnapshot {
  private readonly feed: ChangeFeed<FeedItem>;
  private view: MarketView | undefined;

  constructor(db: Db, clock: Clock) {
    this.feed = new ChangeFeed<FeedItem>(db, 'market', clock);
  }

  /** The current view; rebuilt only when the feed brought changes. */
  async current(): Promise<MarketView> {
    const changed = await this.feed.refresh();
    if (changed > 0 || !this.view) this.view = buildView(this.feed.items.values());
    return this.view;
  }
}

function buildView(items: Iterable<object>): MarketView {
  const accounts: MarketAccount[] = [];
  const slots: SlotRecord[] = [];
  for (const raw of items) {
    const item = raw as Record<string, unknown>;
    if (item.entity === 'account') accounts.push({ ...strip<AccountRecord>(item), openSlots: [] });
    else if (item.entity === 'slot' && item.status === 'open') slots.push(strip<SlotRecord>(item));
  }
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const candidates: Candidate[] = [];
  slots.sort((a, b) => (a.publishDate < b.publishDate ? -1 : a.publishDate > b.publishDate ? 1 : 0));
  for (const slot of slots) {
    const account = byId.get(slot.accountId);
    if (!account) continue;
    account.openSlots.push(slot as Slot);
    candidates.push({ slot: slot as Slot, account });
  }
  return { accounts, byId, candidates };
}

const snapshots = new WeakMap<Db, MarketSnapshot>();

/** One snapshot per table client, so it lives as long as the Lambda instance (or test app). */
export function marketSnapshot(db: Db, clock: Clock): MarketSnapshot {
  let snapshot = snapshots.get(db);
  if (!snapshot) {
    snapshot = new MarketSnapshot(db, clock);
    snapshots.set(db, snapshot);
  }
  return snapshot;
}
