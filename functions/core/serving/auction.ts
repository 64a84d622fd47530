/**
 * Second-price auction over eCPM, in integer micros.
 *
 * 1. eCPM (micros per thousand impressions): a CPM bid as is; a CPC bid × CTR × 1000, rounded
 *    down to the micro, so a CPC campaign never ranks above what its bid supports.
 * 2. Candidates with eCPM below the floor, with no value (eCPM 0) or unable to pay the smallest
 *    charge (a CPM bid below `minChargeMicros` per impression) drop out.
 * 3. The highest eCPM wins. Ties go to the smallest campaign id (stable across runs and
 *    replicas), or, when `random` is given, to a uniformly drawn one of the tied candidates.
 * 4. Clearing price (CPM-equivalent) = runner-up eCPM + `minIncrementMicros`, at most the
 *    winner's eCPM, at least the floor; a lone bidder clears at the floor.
 * 5. The charge per billed event, rounded UP to the micro so that, in expectation, the platform
 *    collects at least the clearing price, then capped by the bid (the cap wins):
 *    - CPM: charged per impression, ceil(clearing / 1000), at most floor(bid / 1000).
 *    - CPC: charged per click, ceil(clearing / (CTR × 1000)), at most the CPC bid, at least
 *      `minChargeMicros`.
 *    Because the bid cap wins, the per-event charge can sit below floor/1000 by less than one
 *    micro when the bid itself is within a micro per impression of the floor.
 */

export type BidModel = 'cpm' | 'cpc';
export type ChargeEvent = 'impression' | 'click';

export interface AuctionCandidate {
  campaignId: string;
  model: BidModel;
  /** CPM bid: micros per thousand impressions; CPC bid: micros per click. */
  bidMicros: number;
  /** Predicted CTR; only CPC ranking uses it. */
  ctr: number;
}

/** Impressions per CPM unit: "cost per mille". */
export const IMPRESSIONS_PER_MILLE = 1000;
/**
 * Subtracted before rounding a CPC charge up: clearing / (CTR × 1000) is a binary floating
 * point division, where an exact quotient such as 1000 can come out as 1000.0000000001.
 */
const ROUNDING_SLACK = 1e-9;

/** The auction's tunables (functions/config.ts: AUCTION_*). */
export interface AuctionOptions {
  /** Added to the runner-up's eCPM: the smallest step that beats it. */
  minIncrementMicros: number;
  /** No billed event costs less: a free impression or click would never settle. */
  minChargeMicros: number;
}

export interface AuctionResult<C extends AuctionCandidate = AuctionCandidate> {
  winner: C;
  /** The winner's own eCPM. */
  ecpmMicros: number;
  clearingCpmMicros: number;
  chargeMicros: number;
  chargeEvent: ChargeEvent;
}

export function ecpmMicros(candidate: AuctionCandidate): number {
  if (candidate.model === 'cpm') return candidate.bidMicros;
  const ctr = Number.isFinite(candidate.ctr) && candidate.ctr > 0 ? candidate.ctr : 0;
  return Math.floor(candidate.bidMicros * ctr * IMPRESSIONS_PER_MILLE);
}

/** Whether a candidate may bid at all: some value, and a bid that covers the smallest charge. */
export function canBid(candidate: AuctionCandidate, options: AuctionOptions): boolean {
  const minBid = candidate.model === 'cpm' ? options.minChargeMicros * IMPRESSIONS_PER_MILLE : options.minChargeMicros;
  return ecpmMicros(candidate) > 0 && candidate.bidMicros >= minBid;
}

/** The clearing price of a winner at `winnerEcpm` over a runner-up at `runnerUpEcpm` (-1: none). */
export function clearingCpm(winnerEcpm: number, runnerUpEcpm: number, floorCpmMicros: number, options: AuctionOptions): number {
  return runnerUpEcpm < 0 ? floorCpmMicros : Math.max(floorCpmMicros, Math.min(winnerEcpm, runnerUpEcpm + options.minIncrementMicros));
}

/** The billed price per event for a winner clearing at `clearingCpmMicros` (see the module docblock). */
export function chargeFor(winner: AuctionCandidate, clearingCpmMicros: number, options: AuctionOptions): { chargeMicros: number; chargeEvent: ChargeEvent } {
  if (winner.model === 'cpm') {
    const cap = Math.floor(winner.bidMicros / IMPRESSIONS_PER_MILLE);
    const price = Math.max(options.minChargeMicros, Math.ceil(clearingCpmMicros / IMPRESSIONS_PER_MILLE));
    return { chargeMicros: Math.min(price, cap), chargeEvent: 'impression' };
  }
  const price = Math.ceil(clearingCpmMicros / (winner.ctr * IMPRESSIONS_PER_MILLE) - ROUNDING_SLACK);
  return { chargeMicros: Math.min(winner.bidMicros, Math.max(options.minChargeMicros, price)), chargeEvent: 'click' };
}

/**
 * The auction over a set of candidates, every one of them looked at. Decisions run the same
 * auction by walking candidates in rank order (decide.ts), which tests check against this.
 */
export function runAuction<C extends AuctionCandidate>(
  candidates: readonly C[],
  floorCpmMicros: number,
  options: AuctionOptions & { random?: () => number },
): AuctionResult<C> | null {
  let best: C | undefined;
  let bestEcpm = -1;
  let ties = 0;
  let runnerUp = -1;
  for (const c of candidates) {
    const e = ecpmMicros(c);
    if (e < floorCpmMicros || !canBid(c, options)) continue;
    if (best === undefined || e > bestEcpm) {
      runnerUp = bestEcpm;
      best = c;
      bestEcpm = e;
      ties = 1;
    } else if (e === bestEcpm) {
      runnerUp = e;
      ties++;
      // Reservoir sampling keeps each tied candidate with probability 1/ties.
      const replace = options.random !== undefined ? options.random() * ties < 1 : c.campaignId < best.campaignId;
      if (replace) best = c;
    } else if (e > runnerUp) {
      runnerUp = e;
    }
  }
  if (best === undefined) return null;
  const clearingCpmMicros = clearingCpm(bestEcpm, runnerUp, floorCpmMicros, options);
  return { winner: best, ecpmMicros: bestEcpm, clearingCpmMicros, ...chargeFor(best, clearingCpmMicros, options) };
}
