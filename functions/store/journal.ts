import { NO_CHARGE, type Charge, type Outcome } from '../core/serving/billing.js';
import type { Db } from './client.js';
import { queryAll } from './items.js';
import { keys, type Key } from './keys.js';
import { batchGetItems, itemId } from './batch-get.js';
import { createOp, type Item, type TxOp, updateOp } from './entity.js';
import { tryWriteOne, writeOne } from './transact.js';

/**
 * The event journal (DESIGN §8): one item per tracking event, `JRN#<source> / <decision>#IMP|CLK`,
 * which is at once its dedupe record and the durable record of what it billed (charge and its
 * split, campaign, unit, publisher, lease). Its partition is the source its decision was asked
 * from (the token's fingerprint, salted per day, so a source-day): every copy of an event finds
 * the same item, and an invalid-traffic ruling on a source reads its events there. A billed
 * event is also on one index, by its lease (gsi1), for the settlement job.
 *
 * The write of one event touches only items of that event, of its source and of its viewer, one
 * single conditional write after another — no transaction (which costs each item twice):
 * 1. one consistent read of the event's own item (a click's together with its impression's), when
 *    it is a click or will be counted: a copy found is a `replay` and counts nothing, and a click
 *    whose impression was not recorded, or was refused, is `no_impression` (an impression item is
 *    written once, refused or not, and never changes that after);
 * 2. an impression of a capped campaign: the viewer's counter for the cap's window, ADDed only
 *    while under the cap (else `cap`), with the hourly bucket decisions read;
 * 3. a charged event: the source's counters for this campaign today and this unit this hour,
 *    ADDed only while under their limits (else `over_limit`);
 * 4. the journal item, if absent (else `replay`).
 * The counters go first, so every billed event was counted under its cap and limits: a refused
 * event writes no billed item, and no event bills past a cap or a limit. What this order costs is
 * a count without a bill when the journal put never happens (the process died between) or finds a
 * copy that the read did not (two copies of one event in flight at once): the source, or the
 * viewer, is held to its limit one event early — never later, and no money moves. A refused
 * impression is recorded unbilled, so a copy of it is a replay and its click is refused.
 * Money is not moved here: the event bills a lease the instance holds, and reaches balances in
 * the instance's next aggregated posting (or the settlement job's).
 */

export interface JournalEntry {
  decisionId: string;
  event: 'IMP' | 'CLK';
  campaignId: string;
  adUnitId: string;
  accountId: string;
  publisherId: string;
  advertiserId: string;
  /** What it bills (all zero when it bills nothing). */
  charge: Charge;
  /** The lease it bills, when charged. */
  leaseId?: string;
  /** When it was billed (epoch ms), and the posting interval that falls in. */
  at: number;
  interval: number;
  /** The source its decision was asked from (the token's fingerprint): the journal partition. */
  fingerprint: string;
  /** Epoch seconds after which the item may go (TTL). */
  keepUntil: number;
}

export interface EventRules {
  sourceLimit?: { fingerprint: string; day: string; hour: string; campaignMax: number; unitMax: number; expiresAt: number };
  cap?: { viewerHash: string; windowAttribute: string; max: number; bucketAttribute: string; expiresAt: number };
}

class Refused extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome);
  }
}

/** Nothing of the event's journal item was written (a read or a counter failed before it): what it reserved can be given back. */
export class EventNotWritten extends Error {}

function journalItem(e: JournalEntry, refused?: Outcome): Item {
  const billed = e.charge.chargeMicros > 0 && refused === undefined;
  const { charge, ...rest } = e;
  return {
    ...keys.journalEvent(e.fingerprint, e.decisionId, e.event),
    entity: 'decisionEvent',
    version: 1,
    ...rest,
    ...(billed ? charge : {}),
    billed,
    ...(refused ? { refused } : {}),
    ...(billed && e.leaseId
      ? {
          gsi1pk: keys.journalOfLease(e.leaseId),
          gsi1sk: `${e.decisionId}#${e.event}`,
        }
      : {}),
    expiresAt: e.keepUntil,
  };
}

/**
 * Writes one event with its rules; returns `billed`/`recorded`, or the rule that refused it, and —
 * when the viewer's cap was counted — the viewer's frequency item as that write left it (for its
 * tidy-up, without reading it again). Throws when no outcome is known.
 */
export async function writeEvent(db: Db, entry: JournalEntry, rules: EventRules): Promise<{ outcome: Outcome; viewer?: Record<string, unknown> }> {
  let viewer: Record<string, unknown> | undefined;
  try {
    const { cap, limit } = counters(db, entry, rules);
    if (entry.event === 'CLK' || cap !== undefined || limit !== undefined) {
      const self = keys.journalEvent(entry.fingerprint, entry.decisionId, entry.event);
      const imp = keys.journalEvent(entry.fingerprint, entry.decisionId, 'IMP');
      const found = await batchGetItems(db, entry.event === 'CLK' ? [imp, self] : [self], { consistent: true }).catch((error: unknown) => {
        throw new EventNotWritten('reading the event failed', { cause: error });
      });
      if (found.has(itemId(self))) return { outcome: 'replay' };
      const impression = found.get(itemId(imp));
      if (entry.event === 'CLK' && (impression === undefined || impression.refused !== undefined)) return { outcome: 'no_impression' };
    }
    const count = (op: TxOp, returnValues: 'UPDATED_NEW' | 'ALL_NEW') =>
      writeOne(db, op, returnValues).catch((error: unknown) => {
        throw error instanceof Refused ? error : new EventNotWritten('a counter write failed', { cause: error });
      });
    // The cap's count returns the whole viewer item, for its tidy-up.
    if (cap) viewer = await count(cap, 'ALL_NEW');
    if (limit) await count(limit, 'UPDATED_NEW');
    await putAlone(db, entry);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    // A refused impression is still recorded: a copy of it is a replay, and its click is refused
    // too (`no_impression`), since nothing valid was shown.
    if ((error.outcome === 'cap' || error.outcome === 'over_limit') && entry.event === 'IMP')
      return { outcome: (await recordUnbilled(db, entry, error.outcome)) ? error.outcome : 'replay' };
    return { outcome: error.outcome };
  }
  return { outcome: entry.charge.chargeMicros > 0 ? 'billed' : 'recorded', ...(viewer ? { viewer } : {}) };
}

/** The conditional counter updates an event passes before its journal item is written: the viewer's cap, then the source's limits. */
function counters(db: Db, entry: JournalEntry, rules: EventRules): { cap?: TxOp; limit?: TxOp } {
  const out: { cap?: TxOp; limit?: TxOp } = {};
  const { cap, sourceLimit: limit } = rules;
  if (cap && entry.event === 'IMP')
    out.cap = updateOp(
      db,
      keys.viewerFrequency(cap.viewerHash),
      { add: { [cap.windowAttribute]: 1, [cap.bucketAttribute]: 1 }, set: { entity: 'frequency', expiresAt: cap.expiresAt } },
      { below: { [cap.windowAttribute]: cap.max } },
      () => new Refused('cap'),
    );
  if (limit && entry.charge.chargeMicros > 0) {
    const campaign = `c#${entry.campaignId}`;
    const unit = `u#${entry.adUnitId}#${limit.hour}`;
    out.limit = updateOp(
      db,
      keys.sourceLimits(limit.fingerprint, limit.day),
      { add: { [campaign]: 1, [unit]: 1 }, set: { entity: 'sourceLimits', expiresAt: limit.expiresAt } },
      { below: { [campaign]: limit.campaignMax, [unit]: limit.unitMax } },
      () => new Refused('over_limit'),
    );
  }
  return out;
}

async function putAlone(db: Db, entry: JournalEntry): Promise<void> {
  if (!(await tryWriteOne(db, createOp(db, journalItem(entry)))).ok) throw new Refused('replay');
}

/**
 * Records an impression a rule refused (its cap, its source's limits), so that a copy
 * of it is a replay and a click after it is judged as the rules say. Returns false when the event
 * was recorded before (a copy: a replay).
 */
async function recordUnbilled(db: Db, entry: JournalEntry, refused?: Outcome): Promise<boolean> {
  const unbilled = { ...entry, charge: NO_CHARGE };
  return (await tryWriteOne(db, createOp(db, journalItem(unbilled, refused)))).ok;
}

/** Every event billed under a lease (gsi1; the settlement job reads it after the lease's grace period). */
export async function journalOfLease(db: Db, leaseId: string): Promise<(JournalEntry & Charge)[]> {
  return queryAll(db, { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :v', ExpressionAttributeValues: { ':v': keys.journalOfLease(leaseId) } });
}

/** Every event of one source (a fingerprint: one source on one day), billed or not, for invalid-traffic rulings. */
export async function journalOfSource(db: Db, fingerprint: string): Promise<(JournalEntry & Charge & Key & { billed: boolean; refundedAt?: string })[]> {
  return queryAll(db, { KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': keys.journalOfSource(fingerprint) } });
}
