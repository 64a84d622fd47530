import { ValidationError } from '../shared/errors.js';
import type { OfficialAccount } from './account.js';
import type { Category, Interest, Platform } from './catalog.js';
import { isPast, type IsoDate, type Slot } from './slots.js';

/**
 * Marketplace browsing: filter, sort and page the listed accounts held in memory. The cursor is
 * the sort key of the last account returned (not an offset), so a page stays correct when
 * accounts are added or change between two requests.
 */

export interface MarketAccount extends OfficialAccount {
  verification: { status: 'unverified' | 'verified' | 'rejected' };
  /** The account's open slots, by publish date. */
  openSlots: Slot[];
}

export const ACCOUNT_SORTS = ['followers', 'averageReads', 'price'] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

export interface AccountSearch {
  platform?: Platform;
  category?: Category;
  minFollowers?: number;
  /** Accounts with readers in this region (share above 0). */
  region?: string;
  /** Accounts with readers holding this interest (share above 0). */
  interest?: Interest;
  verifiedOnly?: boolean;
  /** With any of the four below, only accounts with an open slot that fits all of them. */
  minPriceMicros?: number;
  maxPriceMicros?: number;
  availableFrom?: IsoDate;
  availableTo?: IsoDate;
  /** Today in the market's time zone: earlier slots are past, never counted as open. */
  today: IsoDate;
  sort: AccountSort;
  /** Defaults: most followers / reads first, cheapest first. */
  order?: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

export interface OpenSlotSummary {
  count: number;
  /** Cheapest fitting open slot; null when there is none. */
  fromPriceMicros: number | null;
  nextDate: IsoDate | null;
  /** The first fitting open slots' ids, by date (at most SLOT_IDS_SHOWN): GET /v1/slots/{id} reads each. */
  slotIds: string[];
}

export const SLOT_IDS_SHOWN = 20;

export interface AccountHit {
  account: MarketAccount;
  openSlots: OpenSlotSummary;
}

export interface AccountPage {
  items: AccountHit[];
  total: number;
  nextCursor?: string;
}

interface SortKey {
  v: number | null;
  id: string;
}

/** Filters, sorts and pages; assumes a query that passed validation. */
export function searchAccounts(accounts: readonly MarketAccount[], query: AccountSearch): AccountPage {
  const slotFilter =
    query.minPriceMicros !== undefined || query.maxPriceMicros !== undefined || query.availableFrom !== undefined || query.availableTo !== undefined;
  const hits: AccountHit[] = [];
  for (const account of accounts) {
    if (!accountFits(account, query)) continue;
    const openSlots = summarise(account.openSlots.filter((s) => slotFits(s, query)));
    if (slotFilter && openSlots.count === 0) continue;
    hits.push({ account, openSlots });
  }
  const desc = (query.order ?? (query.sort === 'price' ? 'asc' : 'desc')) === 'desc';
  const keyOf = (hit: AccountHit): SortKey => ({ v: sortValue(hit, query.sort), id: hit.account.id });
  const compare = (a: SortKey, b: SortKey): number => compareKeys(a, b, desc);
  hits.sort((a, b) => compare(keyOf(a), keyOf(b)));
  const after = decodeSortKey(query.cursor);
  const start = after ? hits.findIndex((h) => compare(keyOf(h), after) > 0) : 0;
  const items = start < 0 ? [] : hits.slice(start, start + query.limit);
  const last = items[items.length - 1];
  const more = start >= 0 && start + query.limit < hits.length;
  return { items, total: hits.length, ...(more && last ? { nextCursor: encodeSortKey(keyOf(last)) } : {}) };
}

function accountFits(account: MarketAccount, q: AccountSearch): boolean {
  const a = account.audience;
  return (
    (q.platform === undefined || account.platform === q.platform) &&
    (q.category === undefined || account.category === q.category) &&
    (q.minFollowers === undefined || a.followers >= q.minFollowers) &&
    (q.region === undefined || (a.region[q.region] ?? 0) > 0) &&
    (q.interest === undefined || (a.interests[q.interest] ?? 0) > 0) &&
    (!q.verifiedOnly || a.source === 'verified')
  );
}

function slotFits(slot: Slot, q: AccountSearch): boolean {
  return (
    slot.status === 'open' &&
    !isPast(slot.publishDate, q.today) &&
    (q.minPriceMicros === undefined || slot.priceMicros >= q.minPriceMicros) &&
    (q.maxPriceMicros === undefined || slot.priceMicros <= q.maxPriceMicros) &&
    (q.availableFrom === undefined || slot.publishDate >= q.availableFrom) &&
    (q.availableTo === undefined || slot.publishDate <= q.availableTo)
  );
}

function summarise(slots: readonly Slot[]): OpenSlotSummary {
  let fromPriceMicros: number | null = null;
  let nextDate: IsoDate | null = null;
  for (const s of slots) {
    if (fromPriceMicros === null || s.priceMicros < fromPriceMicros) fromPriceMicros = s.priceMicros;
    if (nextDate === null || s.publishDate < nextDate) nextDate = s.publishDate;
  }
  return { count: slots.length, fromPriceMicros, nextDate, slotIds: slots.slice(0, SLOT_IDS_SHOWN).map((s) => s.id) };
}

function sortValue(hit: AccountHit, sort: AccountSort): number | null {
  if (sort === 'followers') return hit.account.audience.followers;
  if (sort === 'averageReads') return hit.account.audience.averageReads;
  return hit.openSlots.fromPriceMicros;
}

/** By value in the wanted direction, accounts without a value (no price) last, then by id. */
function compareKeys(a: SortKey, b: SortKey, desc: boolean): number {
  if (a.v !== b.v) {
    if (a.v === null) return 1;
    if (b.v === null) return -1;
    return desc ? b.v - a.v : a.v - b.v;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function encodeSortKey(key: SortKey): string {
  return btoa(JSON.stringify(key)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

function decodeSortKey(cursor: string | undefined): SortKey | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))) as Partial<SortKey>;
    if (typeof key.id === 'string' && (key.v === null || typeof key.v === 'number')) return { v: key.v, id: key.id };
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('Invalid cursor', [{ field: 'cursor', message: 'is not a cursor this API returned' }]);
}
