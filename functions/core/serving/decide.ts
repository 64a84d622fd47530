import { AUCTION_OPTIONS, runAuction } from './auction.js';
import type { AuctionCandidate, AuctionOptions, BidModel, ChargeEvent } from './auction.js';
import type { TargetingIndex } from './be-index.js';
import { CTR_OPTIONS, estimateCtr } from './ctr.js';
import type { CtrOptions, CtrStats } from './ctr.js';
import { isOverCap } from './frequency.js';
import type { FrequencyCap } from './frequency.js';
import { PACING_OPTIONS, dayPosition, inSchedule, localTime, shouldServe } from './pacing.js';
import type { DayPosition, LocalTime, PacingOptions, Schedule } from './pacing.js';
import type { TargetingContext } from './targeting.js';

/**
 * One programmatic decision, pure: everything it needs is passed in, already read.
 *
 * 1. Match: the index gives the campaigns whose targeting fits the viewer and the page (the ad
 *    unit's id, account and account category join the viewer's attributes).
 * 2. Filter, cheapest first: the unit's blocked categories, the schedule, budget left (lifetime
 *    and today), the frequency cap, then pacing (which may draw from `random`).
 * 3. Auction the rest on eCPM with a smoothed CTR (auction.ts): floor, second price + 1 micro.
 * 4. A winner that cannot afford its charge (lifetime remaining or today's budget left below
 *    it) drops out and the auction runs again without it, a bounded number of rounds.
 *
 * No ad comes with the reason of the stage that removed the last candidate, plus counts of
 * what each stage dropped, for reports and debugging.
 */

export type NoAdReason = 'no_match' | 'blocked_category' | 'out_of_schedule' | 'budget' | 'frequency_cap' | 'paced' | 'below_floor';

export interface CampaignRuntime<C = unknown> {
  id: string;
  model: BidModel;
  bidMicros: number;
  category: string;
  schedule: Schedule;
  /** Null when the campaign has no daily budget: then it is not paced. */
  dailyBudgetMicros: number | null;
  /** Spent in the current local day of the schedule's zone. */
  spentTodayMicros: number;
  /** Lifetime budget left. */
  remainingMicros: number;
  ctrStats: CtrStats;
  frequencyCap?: FrequencyCap | null;
  creative: C;
}

export interface AdUnitContext {
  id: string;
  accountId: string;
  accountCategory: string;
  floorCpmMicros: number;
  blockedCategories: readonly string[];
}

export interface DecideInput<C = unknown> {
  index: TargetingIndex;
  campaigns: ReadonlyMap<string, CampaignRuntime<C>>;
  adUnit: AdUnitContext;
  viewer: TargetingContext;
  /** Impressions per campaign in its frequency window, as read; absent means 0. */
  frequencyCounts: ReadonlyMap<string, number>;
  now: Date | number;
  random: () => number;
  /** Campaigns that may not win this decision: those already on the page (several placements). */
  exclude?: ReadonlySet<string>;
}

export const DECIDE_OPTIONS = {
  auction: AUCTION_OPTIONS as AuctionOptions,
  pacing: PACING_OPTIONS as PacingOptions,
  ctr: CTR_OPTIONS as CtrOptions,
  /** Auctions re-run when winners cannot afford their charge; past this, give up (budget). */
  maxAuctionRounds: 8,
};

export interface DecideOptions {
  auction?: Partial<AuctionOptions>;
  pacing?: Partial<PacingOptions>;
  ctr?: Partial<CtrOptions>;
  maxAuctionRounds?: number;
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

interface Bidder<C> extends AuctionCandidate {
  campaign: CampaignRuntime<C>;
}

/** The targeting context of a request: the viewer's attributes plus the page's, which win. */
export function requestContext(viewer: TargetingContext, adUnit: AdUnitContext): TargetingContext {
  return { ...viewer, adUnitId: [adUnit.id], accountId: [adUnit.accountId], accountCategory: [adUnit.accountCategory] };
}

export function decide<C>(input: DecideInput<C>, options: DecideOptions = {}): Decision<C> {
  const auctionOptions = { ...DECIDE_OPTIONS.auction, ...options.auction };
  const pacingOptions = { ...DECIDE_OPTIONS.pacing, ...options.pacing };
  const ctrOptions = { ...DECIDE_OPTIONS.ctr, ...options.ctr };
  const maxRounds = options.maxAuctionRounds ?? DECIDE_OPTIONS.maxAuctionRounds;
  const { adUnit, now, random } = input;
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const dropped: DropCounts = {};
  const drop = (reason: Exclude<NoAdReason, 'no_match'>): void => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  };

  // Intl is the costly part of schedules and pacing: once per zone per decision.
  const zones = new Map<string, { local: LocalTime; day: DayPosition }>();
  const zone = (tz: string): { local: LocalTime; day: DayPosition } => {
    let z = zones.get(tz);
    if (z === undefined) zones.set(tz, (z = { local: localTime(nowMs, tz), day: dayPosition(nowMs, tz) }));
    return z;
  };

  const ids = input.index.match(requestContext(input.viewer, adUnit));
  let last: NoAdReason = 'no_match';
  const bidders: Bidder<C>[] = [];
  let matched = 0;
  for (const id of ids) {
    const c = input.campaigns.get(id);
    // The index can be a little older than the runtime state: a campaign gone since is no match.
    if (c === undefined || input.exclude?.has(id)) continue;
    matched++;
    if (adUnit.blockedCategories.includes(c.category)) {
      drop((last = 'blocked_category'));
      continue;
    }
    const z = c.schedule.dayparts != null && c.schedule.dayparts.length > 0 ? zone(c.schedule.timezone) : undefined;
    if (!inSchedule(c.schedule, nowMs, z?.local)) {
      drop((last = 'out_of_schedule'));
      continue;
    }
    if (
      c.remainingMicros < auctionOptions.minChargeMicros ||
      (c.dailyBudgetMicros !== null && c.dailyBudgetMicros - c.spentTodayMicros < auctionOptions.minChargeMicros)
    ) {
      drop((last = 'budget'));
      continue;
    }
    if (isOverCap(c.frequencyCap, input.frequencyCounts.get(c.id) ?? 0)) {
      drop((last = 'frequency_cap'));
      continue;
    }
    if (c.dailyBudgetMicros !== null) {
      const day = zone(c.schedule.timezone).day;
      if (!shouldServe({ dailyBudgetMicros: c.dailyBudgetMicros, spentTodayMicros: c.spentTodayMicros, day }, random, pacingOptions)) {
        drop((last = 'paced'));
        continue;
      }
    }
    const ctr = c.model === 'cpc' ? estimateCtr(c.ctrStats, ctrOptions) : 0;
    bidders.push({ campaignId: c.id, model: c.model, bidMicros: c.bidMicros, ctr, campaign: c });
  }
  if (bidders.length === 0) return { ad: null, reason: last, matched, dropped };

  let pool = bidders;
  for (let round = 0; round < maxRounds; round++) {
    const result = runAuction(pool, adUnit.floorCpmMicros, auctionOptions);
    if (result === null) {
      // Whatever is left is under the floor (or worth nothing); an empty pool means budget took them all.
      for (let i = 0; i < pool.length; i++) drop('below_floor');
      return { ad: null, reason: pool.length > 0 ? 'below_floor' : 'budget', matched, dropped };
    }
    const c = result.winner.campaign;
    const dailyLeft = c.dailyBudgetMicros === null ? Infinity : c.dailyBudgetMicros - c.spentTodayMicros;
    if (c.remainingMicros >= result.chargeMicros && dailyLeft >= result.chargeMicros) {
      const ad: WinningAd<C> = {
        campaignId: c.id,
        creative: c.creative,
        model: c.model,
        ctr: result.winner.ctr,
        ecpmMicros: result.ecpmMicros,
        clearingCpmMicros: result.clearingCpmMicros,
        chargeMicros: result.chargeMicros,
        chargeEvent: result.chargeEvent,
      };
      return { ad, matched, dropped };
    }
    drop('budget');
    pool = pool.filter((b) => b !== result.winner);
  }
  return { ad: null, reason: 'budget', matched, dropped };
}
