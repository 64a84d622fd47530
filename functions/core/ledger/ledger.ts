import { splitFee } from '../shared/money.js';

/**
 * Double-entry ledger. Every movement of money is a set of postings that sum to zero.
 * Sign convention: a positive balance is money the platform owes (advertiser funds, owner
 * earnings, platform revenue); `platform:cash` is the counterpart of deposits and is the only
 * balance that is normally negative.
 */
export type AdvertiserBucket = 'available' | 'held';
/** `pending`: programmatic earnings in their clearing period (DESIGN §9); `earned`: withdrawable. */
export type PublisherBucket = 'pending' | 'earned' | 'pendingPayout' | 'paid';
export type PlatformBucket = 'revenue' | 'cash';

export type LedgerAccount = `advertiser:${string}:${AdvertiserBucket}` | `publisher:${string}:${PublisherBucket}` | `platform:${PlatformBucket}`;

export interface Posting {
  account: LedgerAccount;
  amountMicros: number;
}

export const CAUSE_TYPES = ['deposit', 'order', 'campaign', 'decision', 'payout'] as const;
export type CauseType = (typeof CAUSE_TYPES)[number];

export interface Cause {
  type: CauseType;
  id: string;
}

export interface LedgerTransaction {
  id: string;
  at: string;
  cause: Cause;
  memo: string;
  postings: Posting[];
  /**
   * Which item of each sharded balance (store/ledger.ts) the transaction writes, by key: the same
   * key always hits the same item. Without one, platform revenue spreads by the transaction's id and
   * a publisher's pending or an advertiser's held balance goes to its first item.
   */
  shards?: Shards;
}

/** Shard keys of the balances that aggregated postings write: platform revenue, publisher pending, advertiser held. */
export type Shards = Partial<Record<'revenue' | 'pending' | 'held', string>>;

export const advertiser = (tenantId: string, bucket: AdvertiserBucket): LedgerAccount => `advertiser:${tenantId}:${bucket}`;
export const publisher = (tenantId: string, bucket: PublisherBucket): LedgerAccount => `publisher:${tenantId}:${bucket}`;
export const platform = (bucket: PlatformBucket): LedgerAccount => `platform:${bucket}`;

/** Whose ledger lines hold the platform's own accounts (every other account's lines are its tenant's). */
export const PLATFORM_OWNER = 'platform';

/** The tenant an account belongs to, or undefined for the platform's own accounts. */
export function accountTenant(account: LedgerAccount): string | undefined {
  const [kind, tenant] = account.split(':');
  return kind === 'platform' ? undefined : tenant;
}

/** Every balance but the platform's cash must stay at or above zero. */
export function mayGoNegative(account: LedgerAccount): boolean {
  return account === 'platform:cash';
}

/** Merges postings to the same account and drops zero lines (DynamoDB forbids two writes to one item in a transaction). */
export function normalise(postings: readonly Posting[]): Posting[] {
  const byAccount = new Map<LedgerAccount, number>();
  for (const p of postings) byAccount.set(p.account, (byAccount.get(p.account) ?? 0) + p.amountMicros);
  return [...byAccount].filter(([, amount]) => amount !== 0).map(([account, amountMicros]) => ({ account, amountMicros }));
}

export function isBalanced(postings: readonly Posting[]): boolean {
  return postings.every((p) => Number.isSafeInteger(p.amountMicros)) && postings.reduce((sum, p) => sum + p.amountMicros, 0) === 0;
}

const move = (from: LedgerAccount, to: LedgerAccount, amountMicros: number): Posting[] => [
  { account: from, amountMicros: -amountMicros },
  { account: to, amountMicros },
];

export const postings = {
  deposit: (advertiserId: string, amountMicros: number): Posting[] => move(platform('cash'), advertiser(advertiserId, 'available'), amountMicros),
  hold: (advertiserId: string, amountMicros: number): Posting[] => move(advertiser(advertiserId, 'available'), advertiser(advertiserId, 'held'), amountMicros),
  release: (advertiserId: string, amountMicros: number): Posting[] =>
    move(advertiser(advertiserId, 'held'), advertiser(advertiserId, 'available'), amountMicros),
  /** Held money paid out for delivery: the owner earns the amount less the fee, the platform the fee. */
  capture: (advertiserId: string, publisherId: string, amountMicros: number, feeBps: number): Posting[] => {
    const { feeMicros, ownerMicros } = splitFee(amountMicros, feeBps);
    return [
      { account: advertiser(advertiserId, 'held'), amountMicros: -amountMicros },
      { account: publisher(publisherId, 'earned'), amountMicros: ownerMicros },
      { account: platform('revenue'), amountMicros: feeMicros },
    ];
  },
  /** Programmatic traffic posted: held → the owner's pending earnings and the platform's fee (split per event at billing). */
  accrue: (advertiserId: string, publisherId: string, c: { chargeMicros: number; ownerMicros: number; feeMicros: number }): Posting[] => [
    { account: advertiser(advertiserId, 'held'), amountMicros: -c.chargeMicros },
    { account: publisher(publisherId, 'pending'), amountMicros: c.ownerMicros },
    { account: platform('revenue'), amountMicros: c.feeMicros },
  ],
  /** Traffic ruled invalid before it cleared: back from the owner's pending earnings and the fee to the advertiser's budget. */
  refund: (advertiserId: string, publisherId: string, c: { chargeMicros: number; ownerMicros: number; feeMicros: number }, to: AdvertiserBucket): Posting[] => [
    { account: publisher(publisherId, 'pending'), amountMicros: -c.ownerMicros },
    { account: platform('revenue'), amountMicros: -c.feeMicros },
    { account: advertiser(advertiserId, to), amountMicros: c.chargeMicros },
  ],
  /** The clearing period is over: pending earnings become withdrawable. */
  clear: (publisherId: string, amountMicros: number): Posting[] => move(publisher(publisherId, 'pending'), publisher(publisherId, 'earned'), amountMicros),
  requestPayout: (publisherId: string, amountMicros: number): Posting[] =>
    move(publisher(publisherId, 'earned'), publisher(publisherId, 'pendingPayout'), amountMicros),
  payoutPaid: (publisherId: string, amountMicros: number): Posting[] =>
    move(publisher(publisherId, 'pendingPayout'), publisher(publisherId, 'paid'), amountMicros),
  payoutFailed: (publisherId: string, amountMicros: number): Posting[] =>
    move(publisher(publisherId, 'pendingPayout'), publisher(publisherId, 'earned'), amountMicros),
};

/** Replays transactions into balances: the check that stored balances match the ledger. */
export function replay(transactions: Iterable<Pick<LedgerTransaction, 'postings'>>): Map<LedgerAccount, number> {
  const balances = new Map<LedgerAccount, number>();
  for (const t of transactions) for (const p of t.postings) balances.set(p.account, (balances.get(p.account) ?? 0) + p.amountMicros);
  return balances;
}
