import { addTo, emptyBatch, type Batch } from '../../core/serving/billing.js';
import type { Deps } from '../../deps.js';
import { journalOfLease } from '../../store/journal.js';
import {
  closeLease,
  LEASE_SHARDS,
  leasesEndedBy,
  LeaseTaken,
  post,
  postingChunks,
  readLease,
  takeOver,
  type PostingTarget,
  type UnitPart,
} from '../../store/leases.js';
import { MS_PER_SECOND } from '../../core/shared/time.js';
import { getOrSet } from '../../core/shared/maps.js';

/**
 * Settles budget leases whose instance did not close them (it died, or a write's outcome was
 * unknown), LEASE_GRACE_SECONDS after they ended — longer than any write of theirs can still be
 * in flight (BILLING_DEADLINE_MS):
 * 1. take the lease over (`live` → `settling`): its instance, if it still runs, posts no more;
 * 2. read what its events billed from the journal and what it posted, per unit × interval;
 * 3. post the difference per publisher × interval, each unit's part conditional on its posted
 *    record as read (a second run of the job posts nothing twice);
 * 4. close it: what its events did not bill goes back to the budget (DESIGN §8).
 * Every billed event so reaches the ledger exactly once, and every unbilled micro goes back.
 */

const PAGE = 100;

export async function settleExpiredLeases(deps: Deps, now: Date): Promise<number> {
  const by = now.getTime() - deps.config.LEASE_GRACE_SECONDS * MS_PER_SECOND;
  let settled = 0;
  for (let shard = 0; shard < LEASE_SHARDS; shard++) {
    for (const leaseId of await leasesEndedBy(deps, shard, by, PAGE)) {
      await settleLease(deps, leaseId);
      settled += 1;
    }
  }
  return settled;
}

export async function settleLease(deps: Deps, leaseId: string): Promise<void> {
  const first = await readLease(deps, leaseId);
  if (first.lease?.status === 'live') {
    try {
      await takeOver(deps, first.lease);
    } catch (error) {
      if (!(error instanceof LeaseTaken)) throw error; // closed by its instance meanwhile
    }
  }
  const { lease, posted } = await readLease(deps, leaseId);
  if (lease?.status !== 'settling') return;
  // What the journal billed, per publisher × interval and, within, per unit.
  const billed = new Map<string, { target: PostingTarget; units: Map<string, UnitPart> }>();
  let used = 0;
  for (const e of await journalOfLease(deps.db, leaseId)) {
    const group = getOrSet(billed, `${e.publisherId}|${e.interval}`, () => ({
      target: { lease, publisherId: e.publisherId, interval: e.interval, intervalSeconds: deps.config.POSTING_INTERVAL_SECONDS },
      units: new Map<string, UnitPart>(),
    }));
    addTo(getOrSet(group.units, e.adUnitId, () => ({ adUnitId: e.adUnitId, accountId: e.accountId, batch: emptyBatch() })).batch, e);
    used += e.chargeMicros;
  }
  let flushes = lease.flushes;
  for (const { target, units } of billed.values()) {
    // Per unit, what is missing beyond its posted record, conditional on that record as read.
    const missing: UnitPart[] = [];
    for (const u of units.values()) {
      const done = posted.find((p) => p.adUnitId === u.adUnitId && p.interval === target.interval);
      const batch: Batch = {
        chargeMicros: u.batch.chargeMicros - (done?.chargeMicros ?? 0),
        ownerMicros: u.batch.ownerMicros - (done?.ownerMicros ?? 0),
        feeMicros: u.batch.feeMicros - (done?.feeMicros ?? 0),
        events: u.batch.events - (done?.events ?? 0),
      };
      if (batch.chargeMicros !== 0) missing.push({ ...u, batch, postedBefore: done?.chargeMicros ?? 0 });
    }
    for (const chunk of postingChunks(missing)) {
      await post(deps, target, chunk, 'settling');
      flushes += 1;
    }
  }
  await closeLease(deps, { ...lease, flushes }, used, 'settling');
}
