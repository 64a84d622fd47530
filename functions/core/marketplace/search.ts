import { z } from 'zod';
import { microsInput } from '../shared/money.js';
import { CATEGORIES, PLATFORMS } from './catalog.js';
import { INDEPENDENCE_NOTE, MATCHING_OPTIONS, Targeting, compareRanked, scoreSlots, type Candidate, type RankedSlot } from './matching.js';
import { buildPlan, type Plan, type PlanOptions } from './plan.js';
import { IsoDate, daysBetween, isIsoDate } from './slots.js';

/**
 * The marketplace match: which open slots in a date range reach a targeting spec most cheaply,
 * and (with a budget) the plan that reaches the most targeted readers for it.
 *
 * 1. keep open slots dated in [dateFrom, dateTo] whose account fits categories/platforms;
 * 2. score each (matching.ts) and drop those with no targeted reach;
 * 3. rank by cost per thousand targeted reads and cut to `limit`;
 * 4. with budgetMicros, build the plan over all eligible slots, not only the first `limit`.
 */

export interface MatchLimits {
  defaultLimit: number;
  maxLimit: number;
  /** Longest date range one query may cover, in days (inclusive range length). */
  maxRangeDays: number;
  matching: typeof MATCHING_OPTIONS;
}

export const MATCH_LIMITS: MatchLimits = {
  defaultLimit: 20,
  maxLimit: 100,
  maxRangeDays: 366,
  matching: MATCHING_OPTIONS,
};

/** The limits, and the plan's bounds (tunables from the config). */
export interface MatchOptions extends MatchLimits {
  plan: PlanOptions;
}

export interface MatchResult {
  results: RankedSlot[];
  /** Eligible slots with targeted reach, before the limit. */
  totalMatches: number;
  plan?: Plan;
  /** The independence assumption behind every reach figure. */
  note: string;
}

const LIMIT = `must be an integer from 1 to ${MATCH_LIMITS.maxLimit}`;

/** What an advertiser asks the matcher (`POST /v1/marketplace/match`). */
export const MatchQuery = z
  .object({
    targeting: Targeting,
    dateFrom: IsoDate,
    dateTo: IsoDate,
    budgetMicros: microsInput('The budget', 0).optional().meta({
      description:
        'With a budget, the answer carries the plan that reaches the most targeted readers for it, found within bounded work and time (`method: approximate` with its proven `bound` past them)',
    }),
    categories: z.array(z.enum(CATEGORIES)).optional(),
    platforms: z.array(z.enum(PLATFORMS)).optional(),
    limit: z.number().int(LIMIT).min(1, LIMIT).max(MATCH_LIMITS.maxLimit, LIMIT).optional(),
  })
  .superRefine(
    ({ dateFrom, dateTo }, ctx) => {
      const days = daysBetween(dateFrom, dateTo);
      if (days < 0) ctx.addIssue({ code: 'custom', path: ['dateTo'], message: 'must not be before dateFrom' });
      else if (days + 1 > MATCH_LIMITS.maxRangeDays)
        ctx.addIssue({ code: 'custom', path: ['dateTo'], message: `the range may cover at most ${MATCH_LIMITS.maxRangeDays} days` });
    },
    // The range is checked whenever both dates are, whatever else is wrong, so one 400 lists everything.
    {
      when: ({ value }) =>
        typeof value === 'object' && value !== null && 'dateFrom' in value && 'dateTo' in value && isIsoDate(value.dateFrom) && isIsoDate(value.dateTo),
    },
  );
export type MatchQuery = z.output<typeof MatchQuery>;

/** Filters, scores, ranks and (with a budget) plans. Assumes a query that passed validation. */
export function matchSlots(candidates: readonly Candidate[], query: MatchQuery, options: MatchOptions): MatchResult {
  const categories = query.categories?.length ? new Set<string>(query.categories) : undefined;
  const platforms = query.platforms?.length ? new Set<string>(query.platforms) : undefined;
  const eligible = candidates.filter(
    ({ slot, account }) =>
      slot.status === 'open' &&
      slot.accountId === account.id &&
      slot.publishDate >= query.dateFrom &&
      slot.publishDate <= query.dateTo &&
      (!categories || categories.has(account.category)) &&
      (!platforms || platforms.has(account.platform)),
  );
  const scored = scoreSlots(eligible, query.targeting, options.matching).sort(compareRanked);
  const limit = Math.min(query.limit ?? options.defaultLimit, options.maxLimit);
  const result: MatchResult = {
    results: scored.slice(0, limit),
    totalMatches: scored.length,
    note: INDEPENDENCE_NOTE,
  };
  if (query.budgetMicros !== undefined) result.plan = buildPlan(scored, query.budgetMicros, options.plan);
  return result;
}
