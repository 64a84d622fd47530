import type { AuctionOptions, BidModel } from './auction.js';
import { canBid, ecpmMicros } from './auction.js';
import type { TargetingIndex } from './be-index.js';
import { estimateCtr } from './ctr.js';
import type { CtrOptions, CtrStats } from './ctr.js';
import type { FrequencyCap } from './frequency.js';
import type { Schedule } from './pacing.js';

/**
 * The campaigns a serve instance may show, prepared once per change so that a decision does
 * little more than match (decide.ts): every campaign the index knows, ranked in the order the
 * auction would pick it — eCPM descending, then campaign id ascending (the auction's tie rule) —
 * with the campaigns that can never win (eCPM 0, or a bid below the smallest charge) after all
 * others.
 *
 * A campaign's eCPM depends on its bid and, for CPC, on its CTR statistics: build a new ranking
 * when either changes (the serve engine does on every index rebuild and budget refresh). Budget
 * and today's spend are read live from the runtime objects; they are read-only there and change
 * only through `setBudget`, which also updates what the ranking keeps per rank — whether the
 * campaign can pay the smallest charge at all — so that a decision sets those that cannot aside
 * without looking at them, and no caller can change a budget and forget to say so.
 */

export interface CampaignRuntime<C = unknown> {
  id: string;
  model: BidModel;
  bidMicros: number;
  category: string;
  schedule: Schedule;
  /** Null when the campaign has no daily budget: then it is not paced. */
  dailyBudgetMicros: number | null;
  /** Spent in the current local day of the schedule's zone (changed by `setBudget` only). */
  readonly spentTodayMicros: number;
  /** Lifetime budget left (changed by `setBudget` only). */
  readonly remainingMicros: number;
  ctrStats: CtrStats;
  frequencyCap?: FrequencyCap | null;
  creative: C;
}

/** What ranking needs of the auction and CTR settings. */
export interface RankingOptions {
  auction: AuctionOptions;
  ctr: CtrOptions;
}

export class Ranking<C = unknown> {
  /** Per index ordinal: the campaign's rank, or -1 when the runtime state does not know it. */
  readonly rankOf: Int32Array;
  /** Per rank: the campaign's runtime, predicted CTR (CPC) and eCPM; and whether it can bid at all. */
  readonly byRank: CampaignRuntime<C>[];
  readonly ctr: Float64Array;
  readonly ecpm: Float64Array;
  /** Per rank: the schedule's start and end (Infinity when open-ended) in epoch ms, parsed once rather than per decision. */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  /** Ranks below this can bid (eCPM > 0, bid at least the smallest charge); the rest never win. */
  readonly biddable: number;
  /** Index ordinal of each campaign id the runtime state knows. */
  readonly ordinalOf: ReadonlyMap<string, number>;
  /** Per rank: 1 when the campaign's lifetime budget and today's budget left both cover the smallest charge (`setBudget`). */
  readonly canPay: Uint8Array;
  /** Per-decision scratch (a decision runs to completion before the next): candidate ranks, those set aside as unable to pay, and an epoch-stamped exclusion mark per rank. */
  readonly heap: Int32Array;
  readonly unpaid: Int32Array;
  readonly excluded: Int32Array;
  epoch = 0;

  constructor(
    readonly index: TargetingIndex,
    campaigns: ReadonlyMap<string, CampaignRuntime<C>>,
    readonly options: RankingOptions,
  ) {
    const ids = index.campaignIds;
    const known: number[] = [];
    const ordinalOf = new Map<string, number>();
    for (let o = 0; o < ids.length; o++) {
      if (!campaigns.has(ids[o] as string)) continue;
      known.push(o);
      ordinalOf.set(ids[o] as string, o);
    }
    const n = known.length;
    const ctr = new Float64Array(ids.length);
    const ecpm = new Float64Array(ids.length);
    const biddable = new Uint8Array(ids.length);
    for (const o of known) {
      const c = campaigns.get(ids[o] as string) as CampaignRuntime<C>;
      ctr[o] = c.model === 'cpc' ? estimateCtr(c.ctrStats, options.ctr) : 0;
      const candidate = { campaignId: c.id, model: c.model, bidMicros: c.bidMicros, ctr: ctr[o] as number };
      ecpm[o] = ecpmMicros(candidate);
      biddable[o] = canBid(candidate, options.auction) ? 1 : 0;
    }
    known.sort((a, b) => {
      if (biddable[a] !== biddable[b]) return (biddable[b] as number) - (biddable[a] as number);
      if (ecpm[a] !== ecpm[b]) return (ecpm[b] as number) - (ecpm[a] as number);
      return (ids[a] as string) < (ids[b] as string) ? -1 : 1;
    });
    this.rankOf = new Int32Array(ids.length).fill(-1);
    this.byRank = new Array<CampaignRuntime<C>>(n);
    this.ctr = new Float64Array(n);
    this.ecpm = new Float64Array(n);
    this.startMs = new Float64Array(n);
    this.endMs = new Float64Array(n);
    let biddableCount = 0;
    for (let r = 0; r < n; r++) {
      const o = known[r] as number;
      const c = campaigns.get(ids[o] as string) as CampaignRuntime<C>;
      this.rankOf[o] = r;
      this.byRank[r] = c;
      this.ctr[r] = ctr[o] as number;
      this.ecpm[r] = ecpm[o] as number;
      this.startMs[r] = Date.parse(c.schedule.start);
      this.endMs[r] = c.schedule.end == null ? Infinity : Date.parse(c.schedule.end);
      if (biddable[o] === 1) biddableCount = r + 1;
    }
    this.biddable = biddableCount;
    this.ordinalOf = ordinalOf;
    this.canPay = new Uint8Array(n);
    for (let r = 0; r < n; r++) this.canPay[r] = canPayAtAll(this.byRank[r] as CampaignRuntime<C>, options.auction) ? 1 : 0;
    this.heap = new Int32Array(n);
    this.unpaid = new Int32Array(n);
    this.excluded = new Int32Array(n);
  }

  /** Whether the campaign ranked for `campaignId` can pay at all, from its budget as it is now. */
  private payable(campaignId: string): void {
    const o = this.ordinalOf.get(campaignId);
    const r = o === undefined ? -1 : (this.rankOf[o] as number);
    if (r >= 0) this.canPay[r] = canPayAtAll(this.byRank[r] as CampaignRuntime<C>, this.options.auction) ? 1 : 0;
  }

  /**
   * The one way to change a campaign's budget left and today's spend in place: the runtime object
   * (shared with the ranking) and, when a ranking exists, its can-pay mark change together.
   */
  static setBudget(c: CampaignRuntime, budget: Pick<CampaignRuntime, 'remainingMicros' | 'spentTodayMicros'>, ranking: Ranking | undefined): void {
    const mutable = c as { remainingMicros: number; spentTodayMicros: number };
    mutable.remainingMicros = budget.remainingMicros;
    mutable.spentTodayMicros = budget.spentTodayMicros;
    ranking?.payable(c.id);
  }
}

/** Lifetime budget left and today's budget left (when it has one) both cover the smallest charge. */
export function canPayAtAll(c: Pick<CampaignRuntime, 'remainingMicros' | 'dailyBudgetMicros' | 'spentTodayMicros'>, auction: AuctionOptions): boolean {
  const min = auction.minChargeMicros;
  return c.remainingMicros >= min && (c.dailyBudgetMicros === null || c.dailyBudgetMicros - c.spentTodayMicros >= min);
}
