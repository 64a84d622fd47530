import { ConflictError, InsufficientFundsError } from '../core/shared/errors.js';
import { MAX_MICROS } from '../core/shared/money.js';
import { accountTenant, isBalanced, mayGoNegative, normalise, type LedgerAccount, type LedgerTransaction, type Posting } from '../core/ledger/ledger.js';
import { batchGetItems } from './batch-get.js';
import type { Db } from './client.js';
import { shardOf } from '../core/serving/billing.js';
import { keys, type Key } from './keys.js';
import type { TxOp } from './entity.js';
import { queryPage } from './items.js';
import { encodeCursor } from './pagination.js';

const PLATFORM_OWNER = 'platform';

/**
 * The platform's revenue takes a fee from every posting of every tenant: its balance is split
 * over this many items (shard 0 keeps the unsharded key), each posting adding to one chosen by
 * its shard key, so no one item takes every posting. Its balance is the sum of the shards.
 * Only ever raised: a lowered count would hide the shards above it.
 */
export const REVENUE_SHARDS = 16;
const SHARDED: ReadonlySet<LedgerAccount> = new Set(['platform:revenue']);

/** The item that holds an account's balance (a shard of it, for a sharded account). */
export function balanceKey(account: LedgerAccount, shardKey: string): Key {
  return SHARDED.has(account) ? shardKeyOf(account, shardOf(shardKey, REVENUE_SHARDS)) : keys.balance(account);
}

const shardKeyOf = (account: LedgerAccount, shard: number): Key => (shard === 0 ? keys.balance(account) : keys.balance(`${account}#${shard}`));

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
  const balanceOps: TxOp[] = lines.map((p) => ({
    item: {
      Update: {
        TableName: db.tableName,
        Key: balanceKey(p.account, txn.shardKey ?? txn.id),
        UpdateExpression: 'ADD balanceMicros :amount, version :one SET entity = :entity, account = :account',
        ...balanceLimit(p),
        ExpressionAttributeValues: { ':amount': p.amountMicros, ':one': 1, ':entity': 'balance', ':account': p.account, ':limit': limitOf(p) },
      },
    },
    onConditionFail: () =>
      p.amountMicros < 0 && !mayGoNegative(p.account)
        ? new InsufficientFundsError(`Balance ${bucketName(p.account)} does not cover ${-p.amountMicros} micros`)
        : overLimit(p.account),
  }));
  const byOwner = new Map<string, Posting[]>();
  for (const p of lines) {
    const owner = accountTenant(p.account) ?? PLATFORM_OWNER;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), p]);
  }
  const lineOps: TxOp[] = [...byOwner].map(([owner, postings]) => ({
    item: {
      Put: {
        TableName: db.tableName,
        Item: {
          ...fields,
          ...keys.ledgerLine(owner, txn.id),
          entity: 'ledgerLine',
          version: 1,
          txnId: txn.id,
          at: txn.at,
          cause: txn.cause,
          memo: txn.memo,
          postings,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  }));
  return [...balanceOps, ...lineOps];
}

const bucketName = (account: LedgerAccount): string => account.split(':').at(-1) ?? account;

const overLimit = (account: LedgerAccount): ConflictError =>
  new ConflictError(`Balance ${bucketName(account)} would pass ${MAX_MICROS} micros, the most a balance holds`, { maxMicros: MAX_MICROS });

/**
 * The condition on a balance update: what is left after it stays within [-MAX_MICROS, MAX_MICROS],
 * and at or above 0 for a balance that must not go negative. DynamoDB allows no arithmetic in a
 * condition, so the bound is moved to the other side: `balance <= MAX - amount` for a credit.
 */
function balanceLimit(p: Posting): { ConditionExpression: string } {
  if (p.amountMicros > 0) return { ConditionExpression: 'attribute_not_exists(balanceMicros) OR balanceMicros <= :limit' };
  return { ConditionExpression: 'balanceMicros >= :limit' + (mayGoNegative(p.account) ? ' OR attribute_not_exists(balanceMicros)' : '') };
}

const limitOf = (p: Posting): number =>
  p.amountMicros > 0 ? MAX_MICROS - p.amountMicros : mayGoNegative(p.account) ? -MAX_MICROS - p.amountMicros : -p.amountMicros;

export async function getBalances(db: Db, accounts: readonly LedgerAccount[]): Promise<Map<LedgerAccount, number>> {
  const result = new Map<LedgerAccount, number>(accounts.map((a) => [a, 0]));
  if (accounts.length === 0) return result;
  const wanted = [...new Set(accounts)].flatMap((a) =>
    SHARDED.has(a) ? Array.from({ length: REVENUE_SHARDS }, (_, i) => shardKeyOf(a, i)) : [keys.balance(a)],
  );
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

export const platformLedgerOwner = PLATFORM_OWNER;
