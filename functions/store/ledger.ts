import { ConflictError, InsufficientFundsError } from '../core/shared/errors.js';
import { MAX_MICROS } from '../core/shared/money.js';
import {
  accountTenant,
  PLATFORM_OWNER,
  isBalanced,
  mayGoNegative,
  normalise,
  type LedgerAccount,
  type LedgerTransaction,
  type Posting,
  type Shards,
} from '../core/ledger/ledger.js';
import { batchGetItems } from './batch-get.js';
import type { Db } from './client.js';
import { shardOf } from '../core/serving/billing.js';
import { keys, type Key } from './keys.js';
import { createOp, type Guard, type TxOp, updateOp } from './entity.js';
import { queryPage } from './items.js';
import { encodeCursor } from './pagination.js';

/**
 * Balances that every aggregated posting writes are split over BALANCE_SHARDS items each (shard 0
 * keeps the unsharded key), so that no one item takes every posting; such a balance is the sum of
 * its items, and every reader sums them (getBalances). Each amount stays in the item it was put in
 * until it leaves by the same key, so no item goes negative:
 * - platform revenue: a posting's fee goes to the shard of its clearing entry, and a refund of the
 *   entry takes it from there; other fees spread by transaction id;
 * - a publisher's pending earnings: the shard of their clearing entry (the posting credits it, the
 *   entry's clearing or refund debits it);
 * - an advertiser's held funds: shard 0, except a budget lease's slice, which its claim moves into
 *   the lease's shard (shardMove: one account, no ledger line), its postings spend from there, and
 *   its close moves back (or releases, when the campaign has closed).
 * Only ever raised: another count would move keys to other shards.
 */
export const BALANCE_SHARDS = 16;
type ShardedBucket = keyof Shards;
const SHARDED: ReadonlySet<string> = new Set<ShardedBucket>(['revenue', 'pending', 'held']);
const bucketOf = (account: LedgerAccount): string => account.split(':').at(-1) ?? account;
const isSharded = (account: LedgerAccount): boolean => SHARDED.has(bucketOf(account));

/** The item that holds an account's balance (the shard of it its transaction names, for a sharded account). */
function balanceKey(account: LedgerAccount, txn: Pick<LedgerTransaction, 'id' | 'shards'>): Key {
  if (!isSharded(account)) return keys.balance(account);
  const bucket = bucketOf(account) as ShardedBucket;
  return shardItem(account, txn.shards?.[bucket] ?? (bucket === 'revenue' ? txn.id : undefined));
}

/** The item of a sharded balance that a key goes to (no key: shard 0). */
const shardItem = (account: LedgerAccount, key: string | undefined): Key => shardKeyOf(account, key === undefined ? 0 : shardOf(key, BALANCE_SHARDS));

const shardKeyOf = (account: LedgerAccount, shard: number): Key => (shard === 0 ? keys.balance(account) : keys.balance(`${account}#${shard}`));

/**
 * Moves `amountMicros` of a sharded balance from the item of key `from` to that of key `to`
 * (undefined: shard 0). The balance stays the same, so no ledger line records it; the source item
 * must cover it. Nothing when both keys land on one item.
 */
export function shardMove(db: Db, account: LedgerAccount, amountMicros: number, from: string | undefined, to: string | undefined): TxOp[] {
  const [source, target] = [shardItem(account, from), shardItem(account, to)];
  if (amountMicros === 0 || source.pk === target.pk) return [];
  return [balanceUpdate(db, source, { account, amountMicros: -amountMicros }), balanceUpdate(db, target, { account, amountMicros })];
}

export interface LedgerLine {
  txnId: string;
  at: string;
  cause: LedgerTransaction['cause'];
  memo: string;
  postings: Posting[];
}

/**
 * The writes that record a ledger transaction: one conditional balance update per account
 * (a balance that must not go negative is only decremented while it covers the amount, and no
 * balance passes MAX_MICROS either way: 409) and one
 * ledger line per owner. They go into the same TransactWriteItems as the state change they pay for.
 */
/** `fields` go on every line (an aggregated posting names its interval and event count). */
export function ledgerOps(db: Db, txn: LedgerTransaction, fields: Record<string, unknown> = {}): TxOp[] {
  const lines = normalise(txn.postings);
  if (!isBalanced(lines) || lines.length === 0) throw new Error(`Unbalanced or empty ledger transaction ${txn.id}`);
  const tooLarge = lines.find((p) => Math.abs(p.amountMicros) > MAX_MICROS);
  if (tooLarge) throw overLimit(tooLarge.account);
  const balanceOps = lines.map((p) => balanceUpdate(db, balanceKey(p.account, txn), p));
  const byOwner = new Map<string, Posting[]>();
  for (const p of lines) {
    const owner = accountTenant(p.account) ?? PLATFORM_OWNER;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), p]);
  }
  const lineOps: TxOp[] = [...byOwner].map(([owner, postings]) =>
    createOp(db, {
      ...fields,
      ...keys.ledgerLine(owner, txn.id),
      entity: 'ledgerLine',
      version: 1,
      txnId: txn.id,
      at: txn.at,
      cause: txn.cause,
      memo: txn.memo,
      postings,
    }),
  );
  return [...balanceOps, ...lineOps];
}

/** One conditional balance update: ADD the posting's amount to the item, within the account's limits (balanceLimit). */
function balanceUpdate(db: Db, key: Key, p: Posting): TxOp {
  return updateOp(db, key, { add: { balanceMicros: p.amountMicros, version: 1 }, set: { entity: 'balance', account: p.account } }, balanceLimit(p), () =>
    p.amountMicros < 0 && !mayGoNegative(p.account)
      ? new InsufficientFundsError(`Balance ${bucketName(p.account)} does not cover ${-p.amountMicros} micros`)
      : overLimit(p.account),
  );
}

const bucketName = bucketOf;

const overLimit = (account: LedgerAccount): ConflictError =>
  new ConflictError(`Balance ${bucketName(account)} would pass ${MAX_MICROS} micros, the most a balance holds`, { maxMicros: MAX_MICROS });

/**
 * The condition on a balance update: what is left after it stays within [-MAX_MICROS, MAX_MICROS],
 * and at or above 0 for a balance that must not go negative. DynamoDB allows no arithmetic in a
 * condition, so the bound is moved to the other side: `balance <= MAX - amount` for a credit.
 */
function balanceLimit(p: Posting): Guard {
  const limit = limitOf(p);
  if (p.amountMicros > 0) return { atMost: { balanceMicros: limit } };
  return mayGoNegative(p.account) ? { anyOf: [{ atLeast: { balanceMicros: limit } }, { missing: ['balanceMicros'] }] } : { atLeast: { balanceMicros: limit } };
}

const limitOf = (p: Posting): number =>
  p.amountMicros > 0 ? MAX_MICROS - p.amountMicros : mayGoNegative(p.account) ? -MAX_MICROS - p.amountMicros : -p.amountMicros;

export async function getBalances(db: Db, accounts: readonly LedgerAccount[]): Promise<Map<LedgerAccount, number>> {
  const result = new Map<LedgerAccount, number>(accounts.map((a) => [a, 0]));
  if (accounts.length === 0) return result;
  const wanted = [...new Set(accounts)].flatMap((a) => (isSharded(a) ? Array.from({ length: BALANCE_SHARDS }, (_, i) => shardKeyOf(a, i)) : [keys.balance(a)]));
  const found = await batchGetItems(db, wanted);
  for (const item of found.values())
    result.set(item.account as LedgerAccount, (result.get(item.account as LedgerAccount) ?? 0) + (item.balanceMicros as number));
  return result;
}

/**
 * A tenant's (or the platform's) ledger lines, newest first, after a cursor; each line carries
 * the cursor that resumes just after it, so a reader may stop anywhere in a page.
 */
export async function ledgerLinesAfter(
  db: Db,
  owner: string,
  cursor: string | undefined,
  limit: number,
): Promise<{ lines: (LedgerLine & { resume: string })[]; nextCursor?: string }> {
  const page = await queryPage<LedgerLine>(db, { pk: keys.ledgerOwner(owner), limit, cursor, newestFirst: true });
  return {
    lines: page.items.map(({ pk, sk, txnId, at, cause, memo, postings }) => ({ txnId, at, cause, memo, postings, resume: encodeCursor({ pk, sk }) as string })),
    nextCursor: page.nextCursor,
  };
}
