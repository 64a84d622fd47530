import { z } from 'zod';
import type { OfficialAccount } from './account.js';
import type { AudienceProfile, DistributionDimension } from './audience.js';
import { AGE_BANDS, GENDERS, INTERESTS, REGIONS } from './catalog.js';
import type { Slot } from './slots.js';

/**
 * Audience matching: how many of a slot's readers a targeting spec reaches, and at what cost.
 *
 * - matchShare: product over the targeted dimensions of the summed shares of the targeted
 *   values. An untargeted (absent or empty) dimension contributes 1. Multiplying assumes the
 *   dimensions are independent (that, say, region does not depend on age), which profiles
 *   cannot confirm: they only carry one-dimensional distributions. Every answer says so.
 * - targetedReach: averageReads × matchShare, rounded down to whole reads, so the estimate
 *   never promises a read that the arithmetic does not support.
 * - cptrMicros: cost per thousand targeted reads = priceMicros × 1000 ÷ targetedReach, rounded
 *   half up to the micro (exact integer arithmetic). A slot with targetedReach 0 has no finite
 *   CPTR: it is scored with `cptrMicros: null` and left out of rankings and plans.
 */

/** Values of one dimension; an unknown one is named in the 400. */
const values = <T extends string>(known: readonly [T, ...T[]]) =>
  z.array(z.enum(known, { error: (issue) => `unknown value "${String(issue.input)}"` })).readonly();

/** Whom a match aims at: values per dimension (region codes such as `CN-SH`); an absent or empty dimension is not targeted. */
export const Targeting = z.object({
  gender: values(GENDERS).optional(),
  ageBands: values(AGE_BANDS).optional(),
  regions: values(REGIONS).optional(),
  interests: values(INTERESTS).optional(),
});
export type Targeting = z.output<typeof Targeting>;

export const INDEPENDENCE_NOTE =
  'Targeted reach multiplies the shares of each targeted dimension, assuming the dimensions are ' +
  'independent (e.g. that age does not vary by region). Profiles only give one-dimensional ' +
  'distributions, so this is an estimate: correlated audiences can be reached more or less than shown.';

export const MATCHING_OPTIONS = {
  /** Reads per CPTR unit: "cost per thousand". */
  readsPerCptrUnit: 1000,
  /**
   * Added before rounding reach down: averageReads × share is computed in binary floating
   * point, where 100 × 0.29 is 28.999999999999996. Far below one read for any real account.
   */
  reachRoundingSlack: 1e-6,
  /** Decimal places shown for percentages in explanations. */
  percentDecimals: 1,
};

/** Which profile distribution each targeting field reads, in the order explanations list them. */
export const TARGETING_DIMENSIONS: ReadonlyArray<{ key: keyof Targeting; dimension: DistributionDimension }> = [
  { key: 'gender', dimension: 'gender' },
  { key: 'ageBands', dimension: 'ageBand' },
  { key: 'regions', dimension: 'region' },
  { key: 'interests', dimension: 'interests' },
];

export interface DimensionExplanation {
  dimension: DistributionDimension;
  targeted: boolean;
  /** Targeted values (deduplicated, in the order given); empty when not targeted. */
  values: string[];
  /** Summed share of the targeted values; 1 when not targeted. */
  share: number;
  /** One line for people, e.g. "gender: female 62% of readers". */
  text: string;
}

export interface AudienceMatch {
  matchShare: number;
  targetedReach: number;
  explanations: DimensionExplanation[];
}

export interface SlotScore extends AudienceMatch {
  /** null when targetedReach is 0: such a slot cannot be ranked by cost per read. */
  cptrMicros: number | null;
}

export interface Candidate {
  slot: Slot;
  account: OfficialAccount;
}

export interface RankedSlot extends Candidate, AudienceMatch {
  cptrMicros: number;
}

/** Share of the profile's readers that the targeting reaches, with one explanation per dimension. */
export function matchShare(
  profile: AudienceProfile,
  targeting: Targeting,
  options: typeof MATCHING_OPTIONS = MATCHING_OPTIONS,
): { share: number; explanations: DimensionExplanation[] } {
  let share = 1;
  const explanations: DimensionExplanation[] = [];
  for (const { key, dimension } of TARGETING_DIMENSIONS) {
    const values = dedupe(targeting[key] ?? []);
    if (values.length === 0) {
      explanations.push({ dimension, targeted: false, values: [], share: 1, text: `${dimension}: not targeted (all readers)` });
      continue;
    }
    const distribution: Readonly<Record<string, number | undefined>> = profile[dimension];
    const listed = values.filter((v) => distribution[v] !== undefined);
    // Clamp: a stored profile should already sum to ≤ 1, but a share above 1 must never
    // inflate reach beyond the account's reads.
    const dimShare = Math.min(
      1,
      values.reduce((sum, v) => sum + (distribution[v] ?? 0), 0),
    );
    share *= dimShare;
    const missing = listed.length === 0 ? ' (not in the audience profile)' : '';
    explanations.push({
      dimension,
      targeted: true,
      values,
      share: dimShare,
      text: `${dimension}: ${values.join('+')} ${formatPercent(dimShare, options.percentDecimals)} of readers${missing}`,
    });
  }
  return { share, explanations };
}

/** Whole targeted reads: averageReads × share, rounded down. */
export function targetedReach(averageReads: number, share: number, options: typeof MATCHING_OPTIONS = MATCHING_OPTIONS): number {
  return Math.max(0, Math.floor(averageReads * share + options.reachRoundingSlack));
}

/**
 * Cost per thousand targeted reads in micros, rounded half up; null when reach is 0.
 * BigInt keeps price × 1000 exact for prices above 2^53 / 1000 micros (9 billion CNY).
 */
export function cptrMicros(priceMicros: number, reach: number, options: typeof MATCHING_OPTIONS = MATCHING_OPTIONS): number | null {
  if (reach <= 0) return null;
  const numerator = BigInt(priceMicros) * BigInt(options.readsPerCptrUnit);
  const r = BigInt(reach);
  return Number((2n * numerator + r) / (2n * r));
}

export function scoreSlot(candidate: Candidate, targeting: Targeting, options: typeof MATCHING_OPTIONS = MATCHING_OPTIONS): SlotScore {
  const { share, explanations } = matchShare(candidate.account.audience, targeting, options);
  const reach = targetedReach(candidate.account.audience.averageReads, share, options);
  return {
    matchShare: share,
    targetedReach: reach,
    cptrMicros: cptrMicros(candidate.slot.priceMicros, reach, options),
    explanations,
  };
}

/**
 * Scores every candidate; drops the ones with no targeted reach. Order is the input order.
 * The share depends on the account only, so it is worked out once per account (a year of
 * slots is ~100 000 candidates over a few hundred accounts) and its explanations shared.
 */
export function scoreSlots(candidates: readonly Candidate[], targeting: Targeting, options: typeof MATCHING_OPTIONS = MATCHING_OPTIONS): RankedSlot[] {
  const shares = new Map<OfficialAccount, ReturnType<typeof matchShare>>();
  const out: RankedSlot[] = [];
  for (const candidate of candidates) {
    let match = shares.get(candidate.account);
    if (!match) {
      match = matchShare(candidate.account.audience, targeting, options);
      shares.set(candidate.account, match);
    }
    const reach = targetedReach(candidate.account.audience.averageReads, match.share, options);
    const cptr = cptrMicros(candidate.slot.priceMicros, reach, options);
    if (cptr === null) continue;
    out.push({ ...candidate, matchShare: match.share, targetedReach: reach, cptrMicros: cptr, explanations: match.explanations });
  }
  return out;
}

/**
 * Total order for results: cheapest targeted read first; then more reach, earlier date, and
 * finally the slot id, so equal scores always come back in the same order (stable pagination).
 */
export function compareRanked(a: RankedSlot, b: RankedSlot): number {
  return (
    a.cptrMicros - b.cptrMicros ||
    b.targetedReach - a.targetedReach ||
    compareStrings(a.slot.publishDate, b.slot.publishDate) ||
    compareStrings(a.slot.id, b.slot.id)
  );
}

/** Scores, drops zero-reach slots, sorts by CPTR ascending and keeps the first `limit`. */
export function rankSlots(
  candidates: readonly Candidate[],
  targeting: Targeting,
  limit: number,
  options: typeof MATCHING_OPTIONS = MATCHING_OPTIONS,
): RankedSlot[] {
  return scoreSlots(candidates, targeting, options).sort(compareRanked).slice(0, Math.max(0, limit));
}

export function formatPercent(share: number, decimals: number = MATCHING_OPTIONS.percentDecimals): string {
  const factor = 10 ** decimals;
  const pct = Math.round(share * 100 * factor) / factor;
  if (pct === 0 && share > 0) return `<${1 / factor}%`;
  return `${pct}%`;
}

function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
