import { z } from 'zod';
import { AGE_BANDS, GENDERS, INTERESTS, REGIONS, type AudienceSource } from './catalog.js';

/**
 * Share of readers per value of one dimension, as a fraction in [0, 1]. Shares sum to at most
 * 1: the rest is readers the owner does not know about (or, for interests, who have none of the
 * listed ones). A value that is absent counts as share 0.
 */
export type ShareDistribution<K extends string> = Partial<Record<K, number>>;

/** Slack on "sums to at most 1": shares arrive as decimal fractions, and 0.1 + 0.2 is not 0.3 in binary floating point. */
const SUM_TOLERANCE = 1e-9;

/**
 * Shares per value of one dimension: known keys only, each in [0, 1], summing to at most 1.
 * An empty distribution says nothing a missing one would not, and DynamoDB streams an empty map
 * in a form the stream decoder refused (issue 9 #17): at least one value.
 */
const distribution = (known: readonly string[]) =>
  z
    .record(z.string(), z.number())
    .refine((shares) => Object.keys(shares).length > 0, 'must give the share of at least one value')
    .superRefine((shares, ctx) => {
      let sum = 0;
      for (const [key, share] of Object.entries(shares)) {
        if (!known.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: `unknown key "${key}"` });
        else if (share < 0 || share > 1) ctx.addIssue({ code: 'custom', path: [key], message: `share must be a number between 0 and 1, got ${share}` });
        else sum += share;
      }
      if (sum > 1 + SUM_TOLERANCE) ctx.addIssue({ code: 'custom', message: `shares must sum to at most 1, got ${formatSum(sum)}` });
    })
    .meta({ description: `Share of readers (0–1) per value, summing to at most 1; at least one value. Keys: ${known.join(', ')}` });

/** The audience figures an owner reports (and an operator may verify). */
export const AudienceInput = z.object({
  followers: z.number().int().min(0),
  averageReads: z.number().int().min(0).meta({ description: 'Average reads per post' }),
  gender: distribution(GENDERS),
  ageBand: distribution(AGE_BANDS),
  /** Keys are region codes such as `CN-SH` (see `REGIONS`). */
  region: distribution(REGIONS),
  interests: distribution(INTERESTS),
});
export type AudienceInput = z.output<typeof AudienceInput>;

export interface AudienceProfile extends AudienceInput {
  // averageReads above followers is accepted on purpose: a post can travel far beyond its followers through shares and search.
  source: AudienceSource;
  /** ISO 8601 UTC timestamp of the last change. */
  updatedAt: string;
}

export const DISTRIBUTION_DIMENSIONS = ['gender', 'ageBand', 'region', 'interests'] as const;
export type DistributionDimension = (typeof DISTRIBUTION_DIMENSIONS)[number];

function formatSum(sum: number): string {
  // Enough digits to show why it failed, without float noise like 1.0000000000000002.
  return String(Number(sum.toFixed(6)));
}
