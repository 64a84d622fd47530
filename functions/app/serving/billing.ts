import type { Campaign } from '../../core/campaigns/campaign.js';
import { addTo, chargeOf, emptyBatch, NO_CHARGE, intervalStart, sliceMicros, type Outcome } from '../../core/serving/billing.js';
import { counterAttribute, frequencyWindow, viewerExpiry, type FrequencyCap } from '../../core/serving/frequency.js';
import type { TrackingPayload, TrackingRef } from '../../core/serving/tracking.js';
import { localDate } from '../../core/serving/viewer.js';
import { ConflictError } from '../../core/shared/errors.js';
import type { Deps } from '../../deps.js';
import { markExhausted } from '../campaigns/mark-exhausted.js';
import { capWindowAttribute, tidyViewer, type FrequencyCaps } from '../../store/frequency.js';
import { EventNotWritten, writeEvent, type EventRules, type JournalEntry } from '../../store/journal.js';
import { coalesced } from './coalesce.js';
import {
  budgetLeft,
  claimLease,
  closeLease,
  LeaseRefused,
  LeaseTaken,
  post,
  postingChunks,
  type Lease,
  type PostingTarget,
  type UnitPart,
} from '../../store/leases.js';
import { getOrSet } from '../../core/shared/maps.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_SECOND } from '../../core/shared/time.js';

/**
 * Billing verified tracking events against budget leases (DESIGN §8), an app-level service that
 * lives as long as the serve instance:
 * 1. reserve the charge from the campaign's live lease in memory (claiming a new lease — one
 *    conditional decrement of the budget — when it runs short, expires or its day ends);
 * 2. write the event's journal item with its rules (journal.ts): replay, click without
 *    impression, per-source limits and the frequency cap decide it there, exactly;
 * 3. add what it billed to the lease's batch for its publisher, unit and interval, or give the reservation back.
 * `flush` posts every batch (one transaction per lease × publisher × interval) and closes the leases
 * taken out of use, returning what they did not bill. An instance that dies leaves its live
 * leases to the settlement job (app/billing/settle-leases.ts), which posts from the journal what
 * they billed and returns the rest. A write whose outcome is unknown (a timeout) leaves its lease
 * to the job too, so nothing is ever posted twice or not at all.
 */

export interface BillInput {
  payload: TrackingPayload & { ref: TrackingRef };
  /** The campaign as the serve instance knows it (its zone, daily budget, cap); absent → no daily budget, no cap. */
  campaign: Campaign | undefined;
  /** Who sent the event, as the platform saw it: the per-source limits count by this. */
  source: { fingerprint: string };
  /** The caps of the campaigns the instance knows, to keep the viewer's frequency item small. */
  caps?: FrequencyCaps;
}

interface Pending {
  target: PostingTarget;
  units: Map<string, UnitPart>;
}

interface LiveLease extends Lease {
  /** Micros reserved by events in flight plus those billed. */
  used: number;
  billed: number;
  inflight: number;
  startedAt: number;
  /** A write of it has an unknown outcome: only the job may close it. */
  dirty: boolean;
  /** Billed, not yet posted: per publisher × interval (one posting), per unit. */
  pending: Map<string, Pending>;
}

/** How many times a claim that lost a race for the last of a budget tries again. */
const CLAIM_TRIES = 5;

export class Biller {
  private readonly leases = new Map<string, LiveLease>();
  private retired: LiveLease[] = [];
  private readonly claims = new Map<string, Promise<Outcome | 'ok'>>();
  /** Micros per second each campaign billed here over its last lease. */
  private readonly rates = new Map<string, number>();
  /**
   * Campaigns whose budget could not cover a charge while leases were still out, with that charge:
   * once this instance's retired leases of them are closed, the next flush marks them exhausted if
   * no lease is out anywhere and the budget still cannot cover it.
   */
  private readonly spent = new Map<string, number>();

  constructor(private readonly deps: Deps) {}

  /** Records and bills one verified event; returns what happened. */
  async bill(input: BillInput): Promise<Outcome> {
    const { payload, campaign, source } = input;
    const { config } = this.deps;
    const now = this.deps.clock().getTime();
    const charge = chargeOf(payload.chargeMicros, config.PLATFORM_FEE_BPS);
    const interval = intervalStart(now, config.POSTING_INTERVAL_SECONDS);
    const entry: JournalEntry = {
      decisionId: payload.decisionId,
      event: payload.event === 'i' ? 'IMP' : 'CLK',
      campaignId: payload.campaignId,
      adUnitId: payload.adUnitId,
      accountId: payload.ref.accountId,
      publisherId: payload.ref.publisherId,
      advertiserId: payload.ref.advertiserId,
      charge,
      at: now,
      interval,
      fingerprint: source.fingerprint,
      // Past the token's expiry (then the token itself is refused) and, when billed, past the clearing period (rulings read it).
      keepUntil: Math.ceil(
        Math.max(payload.exp * MS_PER_SECOND + MS_PER_HOUR, charge.chargeMicros > 0 ? now + (config.CLEARING_DAYS + 2) * MS_PER_DAY : 0) / MS_PER_SECOND,
      ),
    };
    let lease: LiveLease | undefined;
    if (charge.chargeMicros > 0) {
      const reserved = await this.reserve(payload, campaign, now);
      if (typeof reserved === 'string') {
        // An unaffordable event is still judged (a copy is a replay, a click without its impression
        // is `no_impression`) and recorded unbilled, so that a copy of it is a replay.
        const { outcome: judged } = await writeEvent(this.deps.db, { ...entry, charge: NO_CHARGE }, {});
        return judged === 'recorded' ? reserved : judged;
      }
      lease = reserved;
      entry.leaseId = lease.leaseId;
    }
    let outcome: Outcome;
    let viewer: Record<string, unknown> | undefined;
    try {
      ({ outcome, viewer } = await writeEvent(this.deps.db, entry, this.rules(input, now)));
    } catch (error) {
      if (lease) {
        lease.inflight -= 1;
        // A failure before the journal put wrote no billed item; a failed put may have written it.
        if (error instanceof EventNotWritten) lease.used -= charge.chargeMicros;
        else lease.dirty = true;
      }
      throw error;
    }
    if (viewer !== undefined && input.caps) {
      // Housekeeping, not money: a failure is logged and the viewer still gets a normal answer.
      await tidyViewer(this.deps.db, payload.ref.viewerHash, viewer, input.caps, now).catch((error: unknown) =>
        this.deps.logger.warn('frequency item tidy-up failed', { error }),
      );
    }
    if (lease) {
      lease.inflight -= 1;
      if (outcome === 'billed') {
        lease.billed += charge.chargeMicros;
        const { publisherId, accountId } = payload.ref;
        const target: PostingTarget = { lease, publisherId, interval, intervalSeconds: config.POSTING_INTERVAL_SECONDS };
        addTo(unitOf(pendingOf(lease, target), payload.adUnitId, accountId).batch, charge);
      } else lease.used -= charge.chargeMicros;
      // The last event in flight on a retired lease of a spent campaign: close it now, so the campaign is marked exhausted.
      if (lease.inflight === 0 && this.spent.has(lease.campaignId) && this.retired.includes(lease))
        await this.flush().catch((error: unknown) => this.deps.logger.warn('flush failed', { error }));
    }
    return outcome;
  }

  /** What this instance may still bill a campaign from its live lease. */
  available(campaignId: string): number {
    const lease = this.leases.get(campaignId);
    return lease === undefined || lease.dirty ? 0 : lease.grantedMicros - lease.used;
  }

  /** Takes a campaign's lease out of use (paused, ended): the next flush returns what it did not bill. */
  retire(campaignId: string): void {
    const lease = this.leases.get(campaignId);
    if (lease === undefined) return;
    this.leases.delete(campaignId);
    this.retired.push(lease);
    const seconds = Math.max(1, (this.deps.clock().getTime() - lease.startedAt) / MS_PER_SECOND);
    this.rates.set(campaignId, lease.billed / seconds);
  }

  /** Posts every batch and closes retired leases (flushes never overlap; see coalesced). */
  readonly flush = coalesced(() => this.flushOnce());

  /** Retires every lease and flushes: before the instance goes away (tests, local shutdown). */
  async stop(): Promise<void> {
    for (const id of [...this.leases.keys()]) this.retire(id);
    await this.flush();
  }

  /**
   * A flush starts no posting or close after BILLING_DEADLINE_MS (real time) and retries none past
   * it, so it never outlives the function: what is left stays for the next flush, or for the
   * settlement job if the instance goes away.
   */
  private async flushOnce(): Promise<void> {
    const by = Date.now() + this.deps.config.BILLING_DEADLINE_MS;
    const now = this.deps.clock().getTime();
    for (const [id, lease] of this.leases) if (now >= lease.endsAt || lease.dirty) this.retire(id);
    // A live lease posts an interval once it has ended (one posting per lease × publisher × interval); a retired one posts all.
    const ended = now - this.deps.config.POSTING_INTERVAL_SECONDS * MS_PER_SECOND;
    await Promise.all([
      ...[...this.leases.values()].map((lease) => this.postAll(lease, ended, by)),
      ...this.retired.map((lease) => this.postAll(lease, Infinity, by)),
    ]);
    const kept: LiveLease[] = [];
    for (const lease of this.retired) {
      if (lease.dirty) continue; // left live for the settlement job
      if (lease.inflight > 0 || lease.pending.size > 0 || Date.now() >= by) {
        kept.push(lease);
        continue;
      }
      try {
        await closeLease(this.deps, lease, lease.used, 'live');
      } catch (error) {
        if (error instanceof LeaseTaken) continue;
        this.deps.logger.warn('lease close failed; the settlement job will settle it', { leaseId: lease.leaseId, error });
      }
    }
    this.retired = kept;
    for (const [id, charge] of this.spent) {
      if (this.leases.has(id) || kept.some((lease) => lease.campaignId === id)) continue;
      this.spent.delete(id);
      const left = await budgetLeft(this.deps, id);
      if (left.remainingMicros < charge && left.leasedMicros === 0) await markExhausted(this.deps, id);
    }
  }

  /**
   * Posts a lease's batches of intervals that started by `until`, one posting per publisher ×
   * interval (more for over POSTING_UNITS units), one after another (each bumps its flush count), until `by`.
   */
  private async postAll(lease: LiveLease, until: number, by: number): Promise<void> {
    for (const [key, p] of [...lease.pending]) {
      if (Date.now() >= by) return;
      if (p.target.interval > until) continue;
      lease.pending.delete(key);
      const chunks = postingChunks([...p.units.values()]);
      for (const [n, chunk] of chunks.entries()) {
        try {
          await post(this.deps, p.target, chunk, 'live', by);
          lease.flushes += 1;
        } catch (error) {
          if (error instanceof ConflictError) {
            // Cancelled, nothing of it written: it and the units after it wait for the next flush.
            const again = pendingOf(lease, p.target);
            for (const u of chunks.slice(n).flat()) addTo(unitOf(again, u.adUnitId, u.accountId).batch, u.batch, u.batch.events);
            return;
          }
          // Taken over by the job, or an unknown outcome: the job posts what the journal holds.
          lease.dirty = true;
          lease.pending.clear();
          if (!(error instanceof LeaseTaken))
            this.deps.logger.warn('posting failed; the settlement job will settle the lease', { leaseId: lease.leaseId, error });
          return;
        }
      }
    }
  }

  private rules(input: BillInput, now: number): EventRules {
    const { payload, campaign, source } = input;
    const { config } = this.deps;
    const day = new Date(now).toISOString().slice(0, 10);
    const cap = campaign?.frequencyCap;
    return {
      sourceLimit: {
        fingerprint: source.fingerprint,
        day,
        hour: new Date(now).toISOString().slice(11, 13),
        campaignMax: config.SOURCE_CAMPAIGN_DAILY_LIMIT,
        unitMax: config.SOURCE_UNIT_HOURLY_LIMIT,
        expiresAt: Math.ceil((now + 2 * MS_PER_DAY) / MS_PER_SECOND),
      },
      ...(cap ? { cap: capRule(payload.campaignId, payload.ref.viewerHash, cap, input.caps?.maxPerHours ?? cap.perHours, now) } : {}),
    };
  }

  /** Reserves `charge` from the campaign's lease, claiming a new one when needed. */
  private async reserve(payload: TrackingPayload & { ref: TrackingRef }, campaign: Campaign | undefined, now: number): Promise<LiveLease | Outcome> {
    const id = payload.campaignId;
    const charge = payload.chargeMicros;
    for (;;) {
      const lease = this.leases.get(id);
      if (lease && this.usable(lease, campaign, now) && lease.grantedMicros - lease.used >= charge) {
        lease.used += charge;
        lease.inflight += 1;
        return lease;
      }
      let claim = this.claims.get(id);
      if (claim === undefined) {
        claim = this.claim(payload, campaign, now).finally(() => this.claims.delete(id));
        this.claims.set(id, claim);
      }
      const result = await claim;
      if (result !== 'ok') return result;
    }
  }

  private usable(lease: LiveLease, campaign: Campaign | undefined, now: number): boolean {
    return (
      !lease.dirty &&
      now < lease.endsAt &&
      (lease.dailyDate === undefined || campaign === undefined || lease.dailyDate === localDate(new Date(now), campaign.schedule.timezone))
    );
  }

  /**
   * Retires the current lease and claims a new one, sized by the recent rate. When the budget
   * cannot cover it: retired leases are closed first (what they did not bill comes back), then
   * the claim asks for what is left. A campaign with nothing left, and no lease out anywhere, is
   * marked exhausted so every instance stops serving it.
   */
  private async claim(payload: TrackingPayload & { ref: TrackingRef }, campaign: Campaign | undefined, now: number): Promise<Outcome | 'ok'> {
    const { config } = this.deps;
    const id = payload.campaignId;
    const charge = payload.chargeMicros;
    this.retire(id);
    const dailyMicros = campaign?.budget.dailyMicros ?? undefined;
    const day = dailyMicros == null ? undefined : localDate(new Date(now), campaign!.schedule.timezone);
    let size = sliceMicros({
      ratePerSecond: this.rates.get(id) ?? 0,
      chargeMicros: charge,
      leaseSeconds: config.LEASE_SECONDS,
      minEvents: config.LEASE_MIN_EVENTS,
      maxMicros: config.LEASE_MAX_MICROS,
    });
    if (dailyMicros != null) size = Math.min(size, dailyMicros);
    for (let tries = 0; ; tries++) {
      const lease: Lease = {
        leaseId: this.deps.ids('lse'),
        campaignId: id,
        advertiserId: payload.ref.advertiserId,
        grantedMicros: size,
        ...(day === undefined ? {} : { dailyDate: day }),
        status: 'live',
        flushes: 0,
        endsAt: now + config.LEASE_SECONDS * MS_PER_SECOND,
      };
      try {
        await claimLease(this.deps, lease, day === undefined ? undefined : { dailyMicros: dailyMicros!, timezoneDay: day });
        this.leases.set(id, { ...lease, used: 0, billed: 0, inflight: 0, startedAt: now, dirty: false, pending: new Map() });
        return 'ok';
      } catch (error) {
        if (!(error instanceof LeaseRefused)) throw error;
        if (tries >= CLAIM_TRIES) return error.outcome;
      }
      await this.flush();
      const left = await budgetLeft(this.deps, id, day);
      const daily = day === undefined ? Infinity : (left.dailyRemainingMicros ?? dailyMicros!);
      if (left.remainingMicros < charge) {
        if (left.leasedMicros === 0) await markExhausted(this.deps, id);
        else {
          // Leases are still out (this instance's retired ones may have events in flight): check again once they are closed.
          this.spent.set(id, charge);
          if (!this.retired.some((lease) => lease.campaignId === id && lease.inflight > 0)) await this.flush();
        }
        return 'budget';
      }
      if (daily < charge) return 'daily_budget';
      size = Math.min(size, left.remainingMicros, daily);
    }
  }
}

/** The lease's unposted events of one publisher × interval. */
const pendingOf = (lease: LiveLease, target: PostingTarget): Pending =>
  getOrSet(lease.pending, `${target.publisherId}|${target.interval}`, () => ({ target, units: new Map() }));

/** One unit's part of them. */
const unitOf = (p: Pending, adUnitId: string, accountId: string): UnitPart => getOrSet(p.units, adUnitId, () => ({ adUnitId, accountId, batch: emptyBatch() }));

/** The viewer's counter for the cap's current fixed window (perHours long), and the hourly bucket decisions read. */
function capRule(campaignId: string, viewerHash: string, cap: FrequencyCap, maxPerHours: number, now: number): NonNullable<EventRules['cap']> {
  const windowMs = cap.perHours * MS_PER_HOUR;
  const window = Math.floor(now / windowMs);
  const bucket = frequencyWindow(cap, now);
  return {
    viewerHash,
    windowAttribute: capWindowAttribute(campaignId, cap.perHours, window),
    max: cap.impressions,
    bucketAttribute: counterAttribute(campaignId, bucket.incrementKey),
    // The end of the longest window any live cap reads, and past this cap's billing window.
    expiresAt: Math.max(bucket.expiresAtEpochSeconds, viewerExpiry(maxPerHours, now), Math.ceil(((window + 1) * windowMs + MS_PER_HOUR) / MS_PER_SECOND)),
  };
}
