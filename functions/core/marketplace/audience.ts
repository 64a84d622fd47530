import type { FieldIssue } from '../shared/errors.js';
import { AGE_BANDS, AUDIENCE_SOURCES, GENDERS, INTERESTS, REGIONS, isOneOf, type AgeBand, type AudienceSource, type Gender, type Interest } from './catalog.js';

/**
 * Share of readers per value of one dimension, as a fraction in [0, 1]. Shares sum to at most
 * 1: the rest is readers the owner does not know about (or, for interests, who have none of the
 * listed ones). A value that is absent counts as share 0.
 */
export type ShareDistribution<K extends string> = Partial<Record<K, number>>;

export interface AudienceProfile {
  followers: number;
  /** Average reads per post: the basis of every reach estimate. */
  averageReads: number;
  gender: ShareDistribution<Gender>;
  ageBand: ShareDistribution<AgeBand>;
  /** Keys are region codes such as `CN-SH` (see `REGIONS`). */
  region: Record<string, number>;
  interests: ShareDistribution<Interest>;
  source: AudienceSource;
  /** ISO 8601 UTC timestamp of the last change. */
  updatedAt: string;
}

export const DISTRIBUTION_DIMENSIONS = ['gender', 'ageBand', 'region', 'interests'] as const;
export type DistributionDimension = (typeof DISTRIBUTION_DIMENSIONS)[number];

export interface AudienceValidationOptions {
  /** Region codes accepted as keys of `region`. */
  regions: readonly string[];
  /**
   * Slack on "sums to at most 1": shares arrive as decimal fractions, and 0.1 + 0.2 is not
   * 0.3 in binary floating point.
   */
  sumTolerance: number;
  /** Field path prefix, so the issues line up with the request body that carried the profile. */
  pathPrefix: string;
}

export const DEFAULT_AUDIENCE_VALIDATION: AudienceValidationOptions = {
  regions: REGIONS,
  sumTolerance: 1e-9,
  pathPrefix: 'audience',
};

const KNOWN_KEYS: Record<Exclude<DistributionDimension, 'region'>, readonly string[]> = {
  gender: GENDERS,
  ageBand: AGE_BANDS,
  interests: INTERESTS,
};

/**
 * Checks an audience profile and returns every problem found (empty when valid). It takes
 * `unknown`-ish input on purpose: the http layer calls it from a zod `superRefine` where the
 * object may only be partly typed, and the store may call it on old items.
 */
export function validateAudience(profile: AudienceProfile, options: Partial<AudienceValidationOptions> = {}): FieldIssue[] {
  const opts = { ...DEFAULT_AUDIENCE_VALIDATION, ...options };
  const at = (field: string): string => (opts.pathPrefix ? `${opts.pathPrefix}.${field}` : field);
  const issues: FieldIssue[] = [];

  for (const field of ['followers', 'averageReads'] as const) {
    const value: unknown = profile[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      issues.push({ field: at(field), message: 'must be a non-negative integer' });
    }
  }
  // averageReads above followers is accepted on purpose: a post can travel far beyond
  // its followers through shares and search.

  for (const dimension of DISTRIBUTION_DIMENSIONS) {
    const known = dimension === 'region' ? opts.regions : KNOWN_KEYS[dimension];
    issues.push(...validateDistribution(profile[dimension], known, at(dimension), opts.sumTolerance));
  }

  if (!isOneOf(AUDIENCE_SOURCES, profile.source)) {
    issues.push({ field: at('source'), message: `must be one of ${AUDIENCE_SOURCES.join(', ')}` });
  }
  if (typeof profile.updatedAt !== 'string' || Number.isNaN(Date.parse(profile.updatedAt))) {
    issues.push({ field: at('updatedAt'), message: 'must be an ISO 8601 timestamp' });
  }
  return issues;
}

function validateDistribution(distribution: unknown, known: readonly string[], path: string, sumTolerance: number): FieldIssue[] {
  if (typeof distribution !== 'object' || distribution === null || Array.isArray(distribution)) {
    return [{ field: path, message: 'must be an object mapping values to shares' }];
  }
  const issues: FieldIssue[] = [];
  let sum = 0;
  for (const [key, share] of Object.entries(distribution)) {
    if (!known.includes(key)) {
      issues.push({ field: `${path}.${key}`, message: `unknown key "${key}"` });
      continue;
    }
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 1) {
      issues.push({ field: `${path}.${key}`, message: `share must be a number between 0 and 1, got ${String(share)}` });
      continue;
    }
    sum += share;
  }
  if (sum > 1 + sumTolerance) {
    issues.push({ field: path, message: `shares must sum to at most 1, got ${formatSum(sum)}` });
  }
  return issues;
}

function formatSum(sum: number): string {
  // Enough digits to show why it failed, without float noise like 1.0000000000000002.
  return String(Number(sum.toFixed(6)));
}
