import type { AuctionOptions, BidModel, ChargeEvent } from './auction.js';
import { chargeFor, clearingCpm } from './auction.js';
import type { CtrOptions } from './ctr.js';
import { isOverCap } from './frequency.js';
import type { PacingOptions } from './pacing.js';
import { inDayparts, shouldServe, zoneTime } from './pacing.js';
import { canPayAtAll, type CampaignRuntime, type Ranking } from './ranking.js';
import type { TargetingContext } from './targeting.js';

export type { CampaignRuntime } from './ranking.js';

/**
 * One programmatic decision, pure: everything it needs is passed in, already read.
 *
 * 1. Match: the index gives the campaigns whose targeting fits the viewer and the page (the ad
 *    unit's id, account and account category join the viewer's attributes).
 * 2. Walk the matches in auction order (ranking.ts: eCPM descending, ties to the smallest id),
 *    popped from a heap of their ranks, so that only the few at the top are looked at. Matches
 *    that cannot pay the smallest charge (the ranking keeps that per campaign) never enter the
 *    heap: when the best-ranked campaigns have spent their budgets (they win the most, so they
 *    do first), the walk does not go through them one by one.
 * 3. Each is filtered, cheapest first: the unit's blocked categories, the schedule, budget left
 *    (lifetime and today), the frequency cap, then even pacing.
 * 4. The first that passes and bids at least the floor is the winner; the next one that does
 *    sets the second price (auction.ts: runner-up + 1 micro, at least the floor; the floor when
 *    alone). A winner that cannot afford its charge (lifetime remaining or today's budget left
 *    below it) drops out and the next one takes its place, at most `maxAuctionRounds` times.
 *
 * This is the second-price auction of `runAuction` over every match that passes the filters,
 * winner, price and the rounds alike (test/unit/serving/decide.test.ts checks it against that
 * brute force); the walk stops as soon as the price is settled. Its work is the match plus a
 * heap over the matches that can pay plus a few filtered candidates — all of them only when none
 * can win.
 *
 * No ad comes with the furthest stage any candidate reached (the filters in order, then
 * `below_floor` when one passed them all but bid under the floor, or `budget` when every one that
 * could win could not pay), plus counts of what each stage dropped among the candidates looked
 * at, for debugging (with an ad, those set aside as unable to pay were not looked at).
 */

export type NoAdReason = 'no_match' | 'blocked_category' | 'out_of_schedule' | 'budget' | 'frequency_cap' | 'paced' | 'below_floor';

export interface AdUnitContext {
  id: string;
  accountId: string;
  accountCategory: string;
  floorCpmMicros: number;
  blockedCategories: readonly string[];
}

export interface DecideInput<C = unknown> {
  /** The index and the campaigns it matches, ranked (ranking.ts). */
  ranking: Ranking<C>;
  adUnit: AdUnitContext;
  viewer: TargetingContext;
  /** Impressions per campaign in its frequency window, as read; absent means 0. */
  frequencyCounts: ReadonlyMap<string, number>;
  now: Date | number;
  /** Campaigns that may not win this decision: those already on the page (several placements). */
  exclude?: ReadonlySet<string>;
}

export interface DecideOptions {
  auction: AuctionOptions;
  pacing: PacingOptions;
  ctr: CtrOptions;
  /** Winners that cannot afford their charge are passed over; past this many, give up (budget). */
  maxAuctionRounds: number;
}

export interface WinningAd<C = unknown> {
  campaignId: string;
  creative: C;
  model: BidModel;
  ctr: number;
  ecpmMicros: number;
  clearingCpmMicros: number;
  chargeMicros: number;
  chargeEvent: ChargeEvent;
}

export type DropCounts = Partial<Record<Exclude<NoAdReason, 'no_match'>, number>>;

export type Decision<C = unknown> =
  | { ad: WinningAd<C>; matched: number; dropped: DropCounts }
  | { ad: null; reason: NoAdReason; matched: number; dropped: DropCounts };

/** The filters' reasons in the order they run: a later one means the candidate got further. */
const STAGES: readonly NoAdReason[] = ['no_match', 'blocked_category', 'out_of_schedule', 'budget', 'frequency_cap', 'paced'];
const PASSED = STAGES.length;
const BUDGET_STAGE = STAGES.indexOf('budget');
/** Stamps wrap before the Int32 epoch would overflow; then all stamps are cleared once. */
const MAX_EPOCH = 0x7fffffff;

/** The targeting context of a request: the viewer's attributes plus the page's, which win. */
export function requestContext(viewer: TargetingContext, adUnit: AdUnitContext): TargetingContext {
  return { ...viewer, adUnitId: [adUnit.id], accountId: [adUnit.accountId], accountCategory: [adUnit.accountCategory] };
}

export function decide<C>(input: DecideInput<C>, options: DecideOptions): Decision<C> {
  const { ranking, adUnit } = input;
  const nowMs = typeof input.now === 'number' ? input.now : input.now.getTime();
  const found = candidates(ranking, ranking.index.matchOrdinals(requestContext(input.viewer, adUnit)), input.exclude);
  const matched = found.n + found.unpaid;
  const heap = ranking.heap;
  const dropped: DropCounts = {};
  let n = found.n;
  let furthest = 0;
  let rounds = 0;
  /** The winner so far (a rank), waiting for the runner-up that sets its price; -1 for none. */
  let pending = -1;
  while (n > 0) {
    const r = heap[0] as number;
    heap[0] = heap[--n] as number;
    siftDown(heap, 0, n);
    const stage = stageOf(ranking, r, input, nowMs, options);
    if (stage < PASSED) {
      count(dropped, STAGES[stage] as Exclude<NoAdReason, 'no_match'>);
      if (stage > furthest) furthest = stage;
      continue;
    }
    // Under the floor (or never able to bid): so is every candidate after it that can bid.
    const bids = r < ranking.biddable && (ranking.ecpm[r] as number) >= adUnit.floorCpmMicros;
    if (!bids) count(dropped, 'below_floor');
    if (pending >= 0) {
      const ad = settle(ranking, pending, bids ? (ranking.ecpm[r] as number) : -1, adUnit, options);
      if (ad !== null) return { ad, matched, dropped };
      count(dropped, 'budget');
      if (++rounds >= options.maxAuctionRounds) return { ad: null, reason: 'budget', matched, dropped };
    }
    if (!bids) return { ad: null, reason: 'below_floor', matched, dropped };
    pending = r;
  }
  if (pending >= 0) {
    const ad = settle(ranking, pending, -1, adUnit, options);
    if (ad !== null) return { ad, matched, dropped };
    count(dropped, 'budget');
    rounds++;
  }
  // No ad for want of candidates: those set aside count towards how far one got. They fail the
  // budget filter at the latest, so once one is known to get that far the rest cannot change it.
  for (let i = 0; rounds === 0 && furthest < BUDGET_STAGE && i < found.unpaid; i++) {
    const stage = stageOf(ranking, ranking.unpaid[i] as number, input, nowMs, options);
    count(dropped, STAGES[stage] as Exclude<NoAdReason, 'no_match'>);
    if (stage > furthest) furthest = stage;
  }
  return { ad: null, reason: rounds > 0 ? 'budget' : (STAGES[furthest] as NoAdReason), matched, dropped };
}

/*
 * The helpers below are module functions, not closures over a decision: a decision allocates
 * little more than its answer, so that it seldom triggers a young-generation GC (bench/engine.ts
 * counts them: at ~10 KB a decision, one pause of 1–10 ms every few hundred decisions made the p99).
 */

/**
 * Puts the ranks of the matches into the ranking's heap (a min-heap: best rank on top), less the
 * excluded and those the runtime state no longer knows, and sets aside in `ranking.unpaid` those
 * that cannot pay the smallest charge (they fail the budget filter at the latest, so they never
 * win or set a price). Returns how many went into each.
 */
function candidates<C>(ranking: Ranking<C>, matches: Int32Array, exclude: ReadonlySet<string> | undefined): { n: number; unpaid: number } {
  const { heap, rankOf, canPay, unpaid } = ranking;
  let epoch = 0;
  if (exclude !== undefined && exclude.size > 0) {
    if (++ranking.epoch === MAX_EPOCH) {
      ranking.excluded.fill(0);
      ranking.epoch = 1;
    }
    epoch = ranking.epoch;
    for (const id of exclude) {
      const o = ranking.ordinalOf.get(id);
      if (o !== undefined) ranking.excluded[rankOf[o] as number] = epoch;
    }
  }
  let n = 0;
  let u = 0;
  for (let i = 0; i < matches.length; i++) {
    const r = rankOf[matches[i] as number] as number;
    if (r < 0 || (epoch !== 0 && ranking.excluded[r] === epoch)) continue;
    if (canPay[r] === 1) heap[n++] = r;
    else unpaid[u++] = r;
  }
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(heap, i, n);
  return { n, unpaid: u };
}

/** How far the campaign at rank r gets through the filters: the index of its stage in STAGES, or PASSED. */
function stageOf<C>(ranking: Ranking<C>, r: number, input: DecideInput<C>, nowMs: number, options: DecideOptions): number {
  const c = ranking.byRank[r] as CampaignRuntime<C>;
  if (input.adUnit.blockedCategories.includes(c.category)) return 1;
  // pacing.ts `inSchedule`, with the instants parsed once per ranking.
  if (nowMs < (ranking.startMs[r] as number) || nowMs >= (ranking.endMs[r] as number)) return 2;
  const dayparts = c.schedule.dayparts;
  if (dayparts != null && dayparts.length > 0 && !inDayparts(dayparts, zoneTime(nowMs, c.schedule.timezone))) return 2;
  if (!canPayAtAll(c, options.auction)) return 3;
  if (isOverCap(c.frequencyCap, input.frequencyCounts.get(c.id) ?? 0)) return 4;
  const daily = c.dailyBudgetMicros;
  if (daily !== null) {
    const day = zoneTime(nowMs, c.schedule.timezone).day;
    if (!shouldServe({ dailyBudgetMicros: daily, spentTodayMicros: c.spentTodayMicros, day }, options.pacing)) return 5;
  }
  return PASSED;
}

/** The winner at rank `winner`, priced at the runner-up's eCPM (-1: none); null when it cannot pay. */
function settle<C>(ranking: Ranking<C>, winner: number, runnerUp: number, adUnit: AdUnitContext, options: DecideOptions): WinningAd<C> | null {
  const c = ranking.byRank[winner] as CampaignRuntime<C>;
  const ecpm = ranking.ecpm[winner] as number;
  const ctr = ranking.ctr[winner] as number;
  const clearingCpmMicros = clearingCpm(ecpm, runnerUp, adUnit.floorCpmMicros, options.auction);
  const charge = chargeFor({ campaignId: c.id, model: c.model, bidMicros: c.bidMicros, ctr }, clearingCpmMicros, options.auction);
  const dailyLeft = c.dailyBudgetMicros === null ? Infinity : c.dailyBudgetMicros - c.spentTodayMicros;
  if (c.remainingMicros < charge.chargeMicros || dailyLeft < charge.chargeMicros) return null;
  return { campaignId: c.id, creative: c.creative, model: c.model, ctr, ecpmMicros: ecpm, clearingCpmMicros, ...charge };
}

function count(dropped: DropCounts, reason: Exclude<NoAdReason, 'no_match'>): void {
  dropped[reason] = (dropped[reason] ?? 0) + 1;
}

/** Restores the min-heap property below position i of heap[0, n). */
function siftDown(heap: Int32Array, i: number, n: number): void {
  const x = heap[i] as number;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && (heap[child + 1] as number) < (heap[child] as number)) child++;
    if ((heap[child] as number) >= x) break;
    heap[i] = heap[child] as number;
    i = child;
  }
  heap[i] = x;
}
