import type { PlanOptions } from '../../core/marketplace/plan.js';
import { MATCH_LIMITS, matchSlots as match, type MatchQuery, type MatchResult } from '../../core/marketplace/search.js';
import { localDate } from '../../core/marketplace/slots.js';
import type { Config } from '../../config.js';
import type { Deps } from '../../deps.js';
import { marketSnapshot } from '../../store/market-snapshot.js';

/** The plan's bounds from the config; `elapsedMs` is the caller's stopwatch for MATCH_PLAN_TIME_MS. */
export function planOptions(
  config: Pick<Config, 'MATCH_PLAN_WORK_LIMIT' | 'MATCH_PLAN_MAX_EPSILON' | 'MATCH_PLAN_MAX_WORK' | 'MATCH_PLAN_TIME_MS'>,
  elapsedMs: () => number,
): PlanOptions {
  return {
    workLimit: config.MATCH_PLAN_WORK_LIMIT,
    maxEpsilon: config.MATCH_PLAN_MAX_EPSILON,
    maxWork: config.MATCH_PLAN_MAX_WORK,
    timeLimit: { ms: config.MATCH_PLAN_TIME_MS, elapsedMs },
  };
}

/**
 * The marketplace match.
 * 1. Reads the marketplace as of at most a second ago (the in-memory snapshot).
 * 2. Starts the range today in the market's time zone at the earliest: earlier slots are past.
 * 3. Scores, ranks and plans (core), within the configured work and time.
 */
export async function matchSlots(deps: Pick<Deps, 'db' | 'clock' | 'config'>, query: MatchQuery): Promise<MatchResult> {
  const started = performance.now();
  const { candidates } = await marketSnapshot(deps.db, deps.clock).current();
  const today = localDate(deps.clock(), deps.config.MARKET_TIMEZONE);
  const dateFrom = query.dateFrom < today ? today : query.dateFrom;
  return match(candidates, { ...query, dateFrom }, { ...MATCH_LIMITS, plan: planOptions(deps.config, () => performance.now() - started) });
}
