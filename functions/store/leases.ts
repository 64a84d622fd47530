import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addTo, emptyBatch, type Batch, shardOf } from '../core/serving/billing.js';
import { advertiser, postings } from '../core/ledger/ledger.js';
import type { StoreContext } from './context.js';
import { batchGetItems } from './batch-get.js';
import { createOp, putOp, removeOp, type TxOp, updateOp } from './entity.js';
import { queryAll } from './items.js';
import { keys } from './keys.js';
import { refusal, transact, tryTransact } from './transact.js';
import { shardMove } from './ledger.js';
import { ledgerTxn } from './wallet.js';
import { MS_PER_DAY, MS_PER_SECOND } from '../core/shared/time.js';
import { chunksOf } from '../core/shared/arrays.js';

/**
 * Budget leases and aggregated postings (DESIGN §8).
 *
 * The campaign's budget item `CAMPAIGN#<id> / BUDGET` holds `remainingMicros` (not leased) and
 * `leasedMicros` (in live leases); with a daily budget, today's spend item the same for the day.
 * A lease `LEASE#<id> / LEASE` {campaign, granted, status live → closed | settling → settled,
 * flushes, endsAt} is claimed with one conditional decrement and sits on a sharded index by end
 * time (gsi1 `LEASES#<shard>`) until it is closed, for the settlement job.
 *
 * An aggregated posting — the events one lease billed on one publisher's units in one interval
 * (at most POSTING_UNITS units; more make more postings) — is one transaction: the lease's flush
 * count (only while the lease has the status the poster expects); per unit, the lease's posted
 * record `LEASE#<id> / POSTED#<unit>#<interval>` (what the job compares with the journal) and the
 * unit's clearing entry for the interval and campaign (shared by every lease that posts there; the
 * clearing job and invalid-traffic rulings read it); and one ledger entry for them all: held → the
 * publisher's pending earnings and platform revenue, in the shards of the publisher × campaign ×
 * interval (postingShard), with lines that name the interval and the event count. So a publisher's
 * balances take one posting per lease and interval however many of its units showed the ads.
 */

export const LEASE_SHARDS = 16;

export type LeaseStatus = 'live' | 'closed' | 'settling' | 'settled';

export interface Lease {
  leaseId: string;
  campaignId: string;
  advertiserId: string;
  grantedMicros: number;
  /** The local date of a daily budget the lease was also taken from. */
  dailyDate?: string;
  status: LeaseStatus;
  flushes: number;
  endsAt: number;
}

export interface Posted extends Batch {
  adUnitId: string;
  interval: number;
}

/** Where a posting goes: the lease, the publisher whose units showed the ads, and the interval. */
export interface PostingTarget {
  lease: Pick<Lease, 'leaseId' | 'campaignId' | 'advertiserId'>;
  publisherId: string;
  interval: number;
  intervalSeconds: number;
}

/** One unit's part of a posting; `postedBefore` (the job's) is the charge its posted record held when read, 0 for none. */
export interface UnitPart {
  adUnitId: string;
  accountId: string;
  batch: Batch;
  postedBefore?: number;
}

/**
 * The balance shards (ledger.ts) a posting credits pending earnings and platform revenue to: one
 * per publisher × campaign × interval, so that one posting of several units credits each once,
 * and every clearing entry it wrote knows where its money sits (clearing.ts).
 */
export const postingShard = (publisherId: string, campaignId: string, interval: number): string => `${publisherId}#${campaignId}#${interval}`;

/** Units one posting takes at most: two items each, with the lease and the ledger entry well inside a transaction's 100 (MAX_TRANSACTION_WRITES). */
export const POSTING_UNITS = 40;

/** A posting's units as postings of at most POSTING_UNITS each. */
export const postingChunks = <T>(units: readonly T[]): T[][] => chunksOf(units, POSTING_UNITS);

type LeaseDeps = Pick<StoreContext, 'db' | 'clock' | 'ids' | 'config'>;

export class LeaseRefused extends Error {
  constructor(readonly outcome: 'budget' | 'daily_budget') {
    super(outcome);
  }
}

/** The lease's posting or closing found it no longer in the status its writer expected (the job took it over). */
export class LeaseTaken extends Error {}

const deadline = (deps: LeaseDeps): number => Date.now() + deps.config.BILLING_DEADLINE_MS;
const leaseIndex = (lease: Pick<Lease, 'leaseId' | 'campaignId' | 'endsAt'>) => ({
  gsi1pk: keys.leasesEnding(shardOf(lease.campaignId, LEASE_SHARDS)),
  gsi1sk: `${new Date(lease.endsAt).toISOString()}#${lease.leaseId}`,
});

/** Claims `slice` of the campaign's budget (and of today's, with a daily budget) as a new live lease. */
export async function claimLease(
  deps: LeaseDeps,
  lease: Omit<Lease, 'status' | 'flushes'>,
  daily?: { dailyMicros: number; timezoneDay: string },
): Promise<void> {
  const { db } = deps;
  const s = lease.grantedMicros;
  const ops: TxOp[] = [
    updateOp(
      db,
      keys.campaignBudget(lease.campaignId),
      { add: { remainingMicros: -s, leasedMicros: s } },
      { atLeast: { remainingMicros: s } },
      () => new LeaseRefused('budget'),
    ),
    createOp(db, { ...keys.lease(lease.leaseId), ...leaseIndex(lease), entity: 'lease', version: 1, ...lease, status: 'live', flushes: 0 }),
    putOp(db, { ...keys.campaignLease(lease.campaignId, lease.leaseId), entity: 'campaignLease', leaseId: lease.leaseId }),
    ...shardMove(db, advertiser(lease.advertiserId, 'held'), s, undefined, lease.leaseId),
  ];
  if (daily) {
    // Today's spend item starts at the daily budget.
    ops.push(
      updateOp(
        db,
        keys.campaignSpend(lease.campaignId, daily.timezoneDay),
        {
          set: { entity: 'campaignSpend', expiresAt: Math.ceil((lease.endsAt + 3 * MS_PER_DAY) / MS_PER_SECOND) },
          add: { remainingMicros: -s, spentMicros: s },
          from: { remainingMicros: daily.dailyMicros },
        },
        { anyOf: [{ missing: ['remainingMicros'] }, { atLeast: { remainingMicros: s } }] },
        () => new LeaseRefused('daily_budget'),
      ),
    );
  }
  await transact(db, ops, Number.POSITIVE_INFINITY, deadline(deps));
}

/** What is left of a campaign's budget, outside leases (strongly consistent). */
export async function budgetLeft(
  deps: Pick<StoreContext, 'db'>,
  campaignId: string,
  day?: string,
): Promise<{ remainingMicros: number; leasedMicros: number; dailyRemainingMicros?: number }> {
  const get = async (key: { pk: string; sk: string }) =>
    (await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: key, ConsistentRead: true }))).Item;
  const budget = await get(keys.campaignBudget(campaignId));
  const spend = day === undefined ? undefined : await get(keys.campaignSpend(campaignId, day));
  return {
    remainingMicros: Number(budget?.remainingMicros ?? 0),
    leasedMicros: Number(budget?.leasedMicros ?? 0),
    ...(spend?.remainingMicros === undefined ? {} : { dailyRemainingMicros: Number(spend.remainingMicros) }),
  };
}

/**
 * One aggregated posting of at most POSTING_UNITS units (see above). `expect` is the lease status
 * its poster holds it in; the units' `postedBefore` make the job's posting idempotent; conflicts
 * are retried until `by` (epoch ms, real time) at the latest.
 */
export async function post(
  deps: LeaseDeps,
  target: PostingTarget,
  units: readonly UnitPart[],
  expect: 'live' | 'settling',
  by = deadline(deps),
): Promise<void> {
  if (units.length === 0 || units.length > POSTING_UNITS) throw new Error(`A posting takes 1 to ${POSTING_UNITS} units, not ${units.length}`);
  const { db } = deps;
  const { lease, interval } = target;
  const total = emptyBatch();
  for (const u of units) addTo(total, u.batch, u.batch.events);
  const clearsAt = interval + deps.config.CLEARING_DAYS * MS_PER_DAY;
  const dueDay = new Date(clearsAt).toISOString().slice(0, 10);
  const from = new Date(interval).toISOString();
  const to = new Date(interval + target.intervalSeconds * MS_PER_SECOND).toISOString();
  const shard = postingShard(target.publisherId, lease.campaignId, interval);
  const unitOps = units.flatMap(({ adUnitId, accountId, batch, postedBefore }): TxOp[] => {
    const clearingKey = keys.clearing(adUnitId, interval, lease.campaignId);
    const amounts = { chargeMicros: batch.chargeMicros, ownerMicros: batch.ownerMicros, feeMicros: batch.feeMicros, events: batch.events };
    return [
      updateOp(
        db,
        keys.leasePosted(lease.leaseId, adUnitId, interval),
        { add: amounts, set: { entity: 'leasePosted', adUnitId, interval } },
        postedBefore === undefined ? undefined : postedBefore === 0 ? { missing: ['chargeMicros'] } : { is: { chargeMicros: postedBefore } },
        () => new LeaseTaken(),
      ),
      updateOp(db, clearingKey, {
        add: { ...amounts, openChargeMicros: batch.chargeMicros, openOwnerMicros: batch.ownerMicros, openFeeMicros: batch.feeMicros },
        set: {
          entity: 'clearingEntry',
          campaignId: lease.campaignId,
          advertiserId: lease.advertiserId,
          publisherId: target.publisherId,
          accountId,
          adUnitId,
          interval,
          gsi1sk: `${clearingKey.pk}#${clearingKey.sk}`,
        },
        setOnce: { clearsAt, gsi1pk: keys.clearingDue(dueDay, shardOf(clearingKey.pk + clearingKey.sk, LEASE_SHARDS)) },
      }),
    ];
  });
  const ops: TxOp[] = [
    updateOp(db, keys.lease(lease.leaseId), { add: { flushes: 1, postedMicros: total.chargeMicros } }, { is: { status: expect } }, () => new LeaseTaken()),
    ...unitOps,
    ...ledgerTxn(
      deps,
      { type: 'campaign', id: lease.campaignId },
      `${total.events} billed events on ${units.length === 1 ? units[0]!.adUnitId : `${units.length} units`} of ${target.publisherId} for ${lease.campaignId}, ${from} – ${to}`,
      postings.accrue(lease.advertiserId, target.publisherId, total),
      {
        shards: { held: lease.leaseId, pending: shard, revenue: shard },
        fields: { interval: { from, to }, events: total.events, adUnitIds: units.map((u) => u.adUnitId) },
      },
    ),
  ];
  await transact(db, ops, Number.POSITIVE_INFINITY, Math.min(by, deadline(deps)));
}

/**
 * Ends a lease whose events billed `usedMicros` in all (every one of them posted): what is left
 * goes back to the budget (and today's), or — when the campaign has closed meanwhile — back to
 * the advertiser's available funds. `expect` and `flushes` make it conditional on no posting
 * having happened since the caller counted.
 */
export async function closeLease(deps: LeaseDeps, lease: Lease, usedMicros: number, expect: 'live' | 'settling'): Promise<void> {
  const { db } = deps;
  const unused = lease.grantedMicros - usedMicros;
  if (unused < 0) throw new Error(`Lease ${lease.leaseId} billed ${usedMicros} of ${lease.grantedMicros} micros`);
  const leaseOp = updateOp(
    db,
    keys.lease(lease.leaseId),
    { set: { status: expect === 'live' ? 'closed' : 'settled', usedMicros }, remove: ['gsi1pk', 'gsi1sk'] },
    { is: { status: expect, flushes: lease.flushes } },
    () => new LeaseTaken(),
  );
  const daily =
    lease.dailyDate === undefined || unused === 0
      ? []
      : [updateOp(db, keys.campaignSpend(lease.campaignId, lease.dailyDate), { add: { remainingMicros: unused, spentMicros: -unused } })];
  // After the campaign closed, what the lease did not bill is released (counted with the rest released).
  const back = (open: boolean): TxOp =>
    open
      ? updateOp(db, keys.campaignBudget(lease.campaignId), { add: { remainingMicros: unused, leasedMicros: -lease.grantedMicros } }, { missing: ['closedAt'] })
      : updateOp(db, keys.campaignBudget(lease.campaignId), { add: { leasedMicros: -lease.grantedMicros, releasedMicros: unused } }, { present: ['closedAt'] });
  const pointer = removeOp(db, keys.campaignLease(lease.campaignId, lease.leaseId));
  const budget = back(true);
  const open = [leaseOp, pointer, budget, ...daily, ...shardMove(db, advertiser(lease.advertiserId, 'held'), unused, lease.leaseId, undefined)];
  const outcome = await tryTransact(db, open, Number.POSITIVE_INFINITY, deadline(deps));
  if (outcome.ok) return;
  if (open[outcome.op] !== budget) throw refusal(open, outcome);
  // The campaign closed meanwhile.
  const release =
    unused > 0
      ? ledgerTxn(
          deps,
          { type: 'campaign', id: lease.campaignId },
          `Lease ${lease.leaseId} ended after its campaign closed: release unspent budget`,
          postings.release(lease.advertiserId, unused),
          { shards: { held: lease.leaseId } },
        )
      : [];
  await transact(db, [leaseOp, pointer, back(false), ...release], Number.POSITIVE_INFINITY, deadline(deps));
}

/** Moves a live lease to `settling`, so that its instance (if it still runs) posts no more. */
export async function takeOver(deps: LeaseDeps, lease: Lease): Promise<void> {
  await transact(
    deps.db,
    [updateOp(deps.db, keys.lease(lease.leaseId), { set: { status: 'settling' } }, { is: { status: 'live' } }, () => new LeaseTaken())],
    Number.POSITIVE_INFINITY,
    deadline(deps),
  );
}

/** The lease and what it posted so far (strongly consistent). */
export async function readLease(deps: Pick<StoreContext, 'db'>, leaseId: string): Promise<{ lease: Lease | undefined; posted: Posted[] }> {
  const items = await queryAll<Record<string, unknown>>(deps.db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.lease(leaseId).pk },
    ConsistentRead: true,
  });
  return {
    lease: items.find((i) => i.sk === 'LEASE') as Lease | undefined,
    posted: items.filter((i) => i.entity === 'leasePosted') as unknown as Posted[],
  };
}

/** Ids of leases that ended by `at` and are not closed, from one shard of the index, oldest first. */
export async function leasesEndedBy(deps: Pick<StoreContext, 'db'>, shard: number, at: number, limit: number): Promise<string[]> {
  const out = await deps.db.doc.send(
    new QueryCommand({
      TableName: deps.db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :at',
      ExpressionAttributeValues: { ':pk': keys.leasesEnding(shard), ':at': `${new Date(at).toISOString()}#~` },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => i.leaseId as string);
}

/**
 * What the live (not yet closed) leases of each campaign have posted so far, for campaigns that
 * have money leased: a Query of its lease pointers, then one BatchGet of the leases.
 */
export async function livePostedMicros(deps: Pick<StoreContext, 'db'>, campaignIds: readonly string[]): Promise<Map<string, number>> {
  const pointers = await Promise.all(
    campaignIds.map((id) =>
      queryAll<{ leaseId: string }>(deps.db, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :lease)',
        ExpressionAttributeValues: { ':pk': keys.campaignBudget(id).pk, ':lease': 'LEASE#' },
      }),
    ),
  );
  const leases = await batchGetItems(
    deps.db,
    pointers.flat().map((p) => keys.lease(p.leaseId)),
  );
  const posted = new Map<string, number>(campaignIds.map((id) => [id, 0]));
  for (const l of leases.values())
    if (l.status === 'live' || l.status === 'settling')
      posted.set(l.campaignId as string, (posted.get(l.campaignId as string) ?? 0) + Number(l.postedMicros ?? 0));
  return posted;
}
