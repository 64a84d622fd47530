import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Charge } from '../core/serving/billing.js';
import { postings, type Shards } from '../core/ledger/ledger.js';
import type { StoreContext } from './context.js';
import { queryAll } from './items.js';
import { keys, type Key } from './keys.js';
import { LEASE_SHARDS, postingShard } from './leases.js';
import { changedMeanwhile, putOp, updateOp, type TxOp } from './entity.js';
import { refusal, tryTransact, writeOne } from './transact.js';
import { ledgerTxn } from './wallet.js';

/**
 * Clearing entries (DESIGN §9): what one unit billed one campaign in one posting interval,
 * `CLEARING#<unit> / <interval>#<campaign>`, written by the aggregated postings (leases.ts), with
 * the part still open to rulings (`open*Micros`). It sits on a sharded index by the day it is due
 * (gsi1 `CLEARING#DUE#<day>#<shard>`) until it clears.
 */

export interface ClearingEntry {
  pk: string;
  sk: string;
  campaignId: string;
  advertiserId: string;
  publisherId: string;
  accountId: string;
  adUnitId: string;
  interval: number;
  clearsAt: number;
  openChargeMicros: number;
  openOwnerMicros: number;
  openFeeMicros: number;
  clearedAt?: string;
  gsi1pk?: string;
}

type ClearingDeps = Pick<StoreContext, 'db' | 'clock' | 'ids' | 'config'>;

/** How a write of an entry ended: done, or the entry moved (cleared, refunded or changed meanwhile) and nothing was written. */
export type EntryWrite = 'done' | 'moved';

/** The refusal of a write held back by a write unit (transact.ts), which is judged only when the unit commits. */
const entryMoved = changedMeanwhile('The clearing entry');

/** Runs ops as one transaction: 'moved' when one of `guarding` refused it; a refusal of another op is thrown as its error. */
async function writeEntry(deps: Pick<StoreContext, 'db'>, ops: readonly TxOp[], guarding: readonly TxOp[]): Promise<EntryWrite> {
  const outcome = await tryTransact(deps.db, ops);
  if (outcome.ok) return 'done';
  const failed = ops[outcome.op];
  if (failed !== undefined && guarding.includes(failed)) return 'moved';
  throw refusal(ops, outcome);
}

/** The key of an entry as read (a ruling's entry carries only its key and parties). */
const entryKey = (e: Pick<ClearingEntry, 'pk' | 'sk'>): Key => ({ pk: e.pk, sk: e.sk });

/** Entries due on one day (UTC), one shard of the index. */
export async function entriesDue(deps: Pick<StoreContext, 'db'>, day: string, shard: number): Promise<ClearingEntry[]> {
  return queryAll<ClearingEntry>(deps.db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.clearingDue(day, shard) },
  });
}

/** A unit's entries whose interval starts within [from, to] (ISO instants). */
export async function entriesOfUnit(deps: Pick<StoreContext, 'db'>, adUnitId: string, from: string, to: string): Promise<ClearingEntry[]> {
  return queryAll<ClearingEntry>(deps.db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.clearingOfUnit(adUnitId), ':from': from, ':to': `${to}#~` },
    ConsistentRead: true,
  });
}

/** Clears what is open of an entry: pending → earned, and the entry leaves the due index. */
export async function clearEntry(deps: ClearingDeps, e: ClearingEntry): Promise<EntryWrite> {
  const at = deps.clock().toISOString();
  const entry = updateOp(
    deps.db,
    entryKey(e),
    { set: { clearedAt: at }, remove: ['gsi1pk', 'gsi1sk'] },
    { missing: ['clearedAt'], is: { openOwnerMicros: e.openOwnerMicros, openChargeMicros: e.openChargeMicros } },
    entryMoved,
  );
  const money =
    e.openOwnerMicros > 0
      ? ledgerTxn(
          deps,
          { type: 'campaign', id: e.campaignId },
          `Cleared: earnings on ${e.adUnitId} for ${e.campaignId}, interval ${new Date(e.interval).toISOString()}`,
          postings.clear(e.publisherId, e.openOwnerMicros),
          { shards: entryShards(e) },
        )
      : [];
  return writeEntry(deps, [entry, ...money], [entry]);
}

/** An entry's pending earnings and fee sit in its posting's shards: its clearing and refunds take them from there. */
const entryShards = (e: Pick<ClearingEntry, 'publisherId' | 'campaignId' | 'interval'>): Shards => {
  const shard = postingShard(e.publisherId, e.campaignId, e.interval);
  return { pending: shard, revenue: shard };
};

/** Puts an entry whose account may not clear yet on the next day's index (it waits). */
export async function postpone(deps: Pick<StoreContext, 'db'>, e: ClearingEntry, day: string): Promise<void> {
  const due = keys.clearingDue(day, Number(e.gsi1pk?.split('#').at(-1) ?? 0) % LEASE_SHARDS);
  await writeOne(deps.db, updateOp(deps.db, entryKey(e), { set: { gsi1pk: due } }, { missing: ['clearedAt'] }));
}

/**
 * Refunds `amount` of an entry (all that is open, or one event's charge) to the advertiser: out
 * of the owner's pending earnings and the platform's fee, back to the campaign's budget (held and
 * `remaining`), or to the advertiser's available funds when the campaign has closed. Conditional
 * on the entry being uncleared and still holding the amount; `extra` writes go in the same
 * transaction (the journal item of a refunded event). 'moved' when the entry, the budget or an
 * `extra` write refused it.
 */
export async function refund(
  deps: ClearingDeps,
  e: Pick<ClearingEntry, 'pk' | 'sk' | 'campaignId' | 'advertiserId' | 'publisherId' | 'interval'>,
  amount: Charge,
  memo: string,
  fields: Record<string, unknown>,
  extra: TxOp[] = [],
): Promise<EntryWrite> {
  const closed =
    (await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: keys.campaignBudget(e.campaignId), ConsistentRead: true }))).Item?.closedAt !==
    undefined;
  const guarding: TxOp[] = [
    updateOp(
      deps.db,
      entryKey(e),
      {
        add: {
          openChargeMicros: -amount.chargeMicros,
          openOwnerMicros: -amount.ownerMicros,
          openFeeMicros: -amount.feeMicros,
          refundedMicros: amount.chargeMicros,
        },
      },
      { missing: ['clearedAt'], atLeast: { openChargeMicros: amount.chargeMicros, openOwnerMicros: amount.ownerMicros, openFeeMicros: amount.feeMicros } },
      entryMoved,
    ),
    ...(closed
      ? []
      : [updateOp(deps.db, keys.campaignBudget(e.campaignId), { add: { remainingMicros: amount.chargeMicros } }, { missing: ['closedAt'] }, entryMoved)]),
  ];
  const money = ledgerTxn(
    deps,
    { type: 'campaign', id: e.campaignId },
    memo,
    postings.refund(e.advertiserId, e.publisherId, amount, closed ? 'available' : 'held'),
    {
      shards: entryShards(e),
      fields,
    },
  );
  return writeEntry(deps, [...guarding, ...money, ...extra], [...guarding, ...extra]);
}

/** Marks a billed event (its journal item, by the key it was read with) refunded, once: a second ruling of it finds the entry moved. */
export function refundedMark(deps: Pick<StoreContext, 'db' | 'clock'>, journalItem: Key): TxOp {
  return updateOp(deps.db, journalItem, { set: { refundedAt: deps.clock().toISOString() } }, { missing: ['refundedAt'] }, entryMoved);
}

/** The first day (UTC) the clearing job has not finished, or undefined before its first run. */
export async function clearingCursor(deps: Pick<StoreContext, 'db'>): Promise<string | undefined> {
  const out = await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: keys.clearingCursor(), ConsistentRead: true }));
  return out.Item?.day as string | undefined;
}

export async function setClearingCursor(deps: Pick<StoreContext, 'db'>, day: string): Promise<void> {
  await writeOne(deps.db, putOp(deps.db, { ...keys.clearingCursor(), entity: 'clearingCursor', version: 1, day }));
}

/** Whether an account's earnings may clear: only verified accounts'. */
export async function accountVerified(deps: Pick<StoreContext, 'db'>, accountId: string): Promise<boolean> {
  const out = await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: keys.account(accountId) }));
  return (out.Item?.verification as { status?: string } | undefined)?.status === 'verified';
}
