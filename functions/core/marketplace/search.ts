import type { FieldIssue } from '../shared/errors.js';
import { isMicros } from '../shared/money.js';
import { AGE_BANDS, CATEGORIES, GENDERS, INTERESTS, PLATFORMS, REGIONS, type Category, type Platform } from './catalog.js';
import { INDEPENDENCE_NOTE, MATCHING_OPTIONS, compareRanked, scoreSlots, type Candidate, type RankedSlot, type Targeting } from './matching.js';
import { buildPlan, type Plan, type PlanOptions } from './plan.js';
import { daysBetween, isIsoDate, type IsoDate } from './slots.js';

/**
 * The marketplace match: which open slots in a date range reach a targeting spec most cheaply,
 * and (with a budget) the plan that reaches the most targeted readers for it.
 *
 * 1. keep open slots dated in [dateFrom, dateTo] whose account fits categories/platforms;
 * 2. score each (matching.ts) and drop those with no targeted reach;
 * 3. rank by cost per thousand targeted reads and cut to `limit`;
 * 4. with budgetMicros, build the plan over all eligible slots, not only the first `limit`.
 */

export interface MatchQuery {
  targeting: Targeting;
  dateFrom: IsoDate;
  dateTo: IsoDate;
  budgetMicros?: number;
  categories?: readonly Category[];
  platforms?: readonly Platform[];
  limit?: number;
}

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

/** Problems with a match query (empty when valid); pure, for use from a zod superRefine. */
export function validateMatchQuery(query: MatchQuery, options: Partial<MatchLimits> = {}): FieldIssue[] {
  const opts = { ...MATCH_LIMITS, ...options };
  const issues: FieldIssue[] = [];
  const lists: Array<[string, readonly unknown[] | undefined, readonly string[]]> = [
    ['targeting.gender', query.targeting.gender, GENDERS],
    ['targeting.ageBands', query.targeting.ageBands, AGE_BANDS],
    ['targeting.regions', query.targeting.regions, REGIONS],
    ['targeting.interests', query.targeting.interests, INTERESTS],
    ['categories', query.categories, CATEGORIES],
    ['platforms', query.platforms, PLATFORMS],
  ];
  for (const [field, values, known] of lists) {
    values?.forEach((v, i) => {
      if (typeof v !== 'string' || !known.includes(v)) {
        issues.push({ field: `${field}.${i}`, message: `unknown value "${String(v)}"` });
      }
    });
  }
  const datesOk = isIsoDate(query.dateFrom) && isIsoDate(query.dateTo);
  if (!isIsoDate(query.dateFrom)) issues.push({ field: 'dateFrom', message: 'must be a date YYYY-MM-DD' });
  if (!isIsoDate(query.dateTo)) issues.push({ field: 'dateTo', message: 'must be a date YYYY-MM-DD' });
  if (datesOk) {
    const days = daysBetween(query.dateFrom, query.dateTo);
    if (days < 0) issues.push({ field: 'dateTo', message: 'must not be before dateFrom' });
    else if (days + 1 > opts.maxRangeDays) {
      issues.push({ field: 'dateTo', message: `the range may cover at most ${opts.maxRangeDays} days` });
    }
  }
  if (query.budgetMicros !== undefined && !isMicros(query.budgetMicros)) {
    issues.push({ field: 'budgetMicros', message: 'must be a non-negative integer number of micros' });
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > opts.maxLimit)) {
    issues.push({ field: 'limit', message: `must be an integer from 1 to ${opts.maxLimit}` });
  }
  return issues;
}

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
