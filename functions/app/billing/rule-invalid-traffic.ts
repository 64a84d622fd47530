import { intervalStart } from '../../core/serving/billing.js';
import type { Deps } from '../../deps.js';
import { entriesOfUnit, refund, refundedMark, type EntryWrite } from '../../store/clearing.js';
import { journalOfSource } from '../../store/journal.js';
import { keys } from '../../store/keys.js';

/**
 * An operator rules the traffic of one ad unit, or of one source fingerprint, within a time
 * range invalid (DESIGN §9). What it billed and has not cleared goes back to the advertisers'
 * budgets, on the ledger, with lines that name the ruling:
 * - a unit: every uncleared clearing entry of the unit whose posting interval overlaps the range
 *   (`from` rounds down to its interval's start), refunded whole (what is still open of it);
 * - a source: every billed event of the source in the range (the journal's partition of the
 *   fingerprint: one source on one day, the fingerprint's salt), refunded one by one from its
 *   entry, and marked refunded so no ruling refunds it twice.
 * Cleared money is not taken back. Events not posted yet (their lease still open) are not in an
 * entry yet: a ruling covers traffic older than LEASE_SECONDS + LEASE_GRACE_SECONDS.
 */

export interface Ruling {
  adUnitId?: string;
  fingerprint?: string;
  from: string;
  to: string;
  reason: string;
}

export interface RulingResult {
  refundedMicros: number;
  refunds: number;
}

export async function ruleInvalidTraffic(deps: Deps, ruling: Ruling): Promise<RulingResult> {
  const result: RulingResult = { refundedMicros: 0, refunds: 0 };
  const what = ruling.adUnitId ? `unit ${ruling.adUnitId}` : `source ${ruling.fingerprint}`;
  const memo = `Invalid traffic (${ruling.reason}) from ${what}, ${ruling.from} – ${ruling.to}: refund`;
  const fields = { ruling };
  const attempt = async (run: () => Promise<EntryWrite>, micros: number) => {
    // Cleared, refunded or changed meanwhile: nothing (more) to take back.
    if ((await run()) === 'moved') return;
    result.refundedMicros += micros;
    result.refunds += 1;
  };
  if (ruling.adUnitId) {
    // Entries are whole posting intervals: the one `from` falls in is covered from its start.
    const from = new Date(intervalStart(Date.parse(ruling.from), deps.config.POSTING_INTERVAL_SECONDS)).toISOString();
    for (const e of await entriesOfUnit(deps, ruling.adUnitId, from, new Date(ruling.to).toISOString())) {
      if (e.clearedAt !== undefined || e.openChargeMicros === 0) continue;
      await attempt(
        () => refund(deps, e, { chargeMicros: e.openChargeMicros, ownerMicros: e.openOwnerMicros, feeMicros: e.openFeeMicros }, memo, fields),
        e.openChargeMicros,
      );
    }
  }
  if (ruling.fingerprint) {
    const from = Date.parse(ruling.from);
    const to = Date.parse(ruling.to);
    for (const ev of await journalOfSource(deps.db, ruling.fingerprint)) {
      if (!ev.billed || ev.at < from || ev.at > to || ev.refundedAt !== undefined) continue;
      const key = keys.clearing(ev.adUnitId, ev.interval, ev.campaignId);
      const entry = { ...key, campaignId: ev.campaignId, advertiserId: ev.advertiserId, publisherId: ev.publisherId, interval: ev.interval };
      const mark = refundedMark(deps, { pk: ev.pk, sk: ev.sk });
      await attempt(() => refund(deps, entry, ev, memo, { ...fields, decisionId: ev.decisionId }, [mark]), ev.chargeMicros);
    }
  }
  return result;
}
