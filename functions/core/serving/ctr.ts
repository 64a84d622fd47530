/**
 * Click-through-rate estimate for CPC ranking: the mean of a Beta prior updated with the
 * campaign's own impressions and clicks, (clicks + α) / (impressions + α + β).
 *
 * A new campaign has no history, and a raw clicks/impressions ratio would rank it at 0 (never
 * shown, never learns) or, after one lucky click, at 100%. The prior acts as `priorImpressions`
 * made-up impressions at `priorCtr`, so the estimate starts at the prior and moves to the
 * campaign's own rate as real impressions outweigh the made-up ones.
 */

export const CTR_OPTIONS = {
  /** The prior's mean: what we assume of a campaign we know nothing about. */
  priorCtr: 0.01,
  /** The prior's weight in impressions (α + β). */
  priorImpressions: 100,
};

export type CtrOptions = typeof CTR_OPTIONS;

export interface CtrStats {
  impressions: number;
  clicks: number;
}

export function estimateCtr(stats: CtrStats, options: Partial<CtrOptions> = {}): number {
  const { priorCtr, priorImpressions } = { ...CTR_OPTIONS, ...options };
  const alpha = priorCtr * priorImpressions;
  const beta = (1 - priorCtr) * priorImpressions;
  // Counters are eventually consistent: a click can be counted before its impression.
  const impressions = Math.max(0, stats.impressions);
  const clicks = Math.min(Math.max(0, stats.clicks), impressions);
  const denominator = impressions + alpha + beta;
  return denominator > 0 ? (clicks + alpha) / denominator : priorCtr;
}
