import { describe, expect, it } from 'vitest';
import { AccountInput } from '../../../functions/core/marketplace/account.js';
import { AudienceInput, type AudienceProfile } from '../../../functions/core/marketplace/audience.js';
import { anAccount, anAudience, issuesOf } from './fixtures.js';

/** An account as its owner sends it, with this audience. */
const listing = (audience: unknown) => {
  const { platform, handle, name, category, description } = anAccount();
  return { platform, handle, name, category, description, audience };
};

describe('AudienceInput', () => {
  it('does accept a valid profile', () => {
    expect(issuesOf(AudienceInput, anAudience())).toEqual([]);
  });

  it('does tolerate float noise in a sum of exactly 1', () => {
    // 0.1 + 0.2 + 0.7 is 1.0000000000000002 in binary floating point.
    expect(issuesOf(AudienceInput, anAudience({ ageBand: { '18-24': 0.1, '25-34': 0.2, '35-44': 0.7 } }))).toEqual([]);
  });

  it('does name the field and the problem for shares out of range, sums above 1 and unknown keys', () => {
    const profile = anAudience({
      gender: { female: 1.2 },
      ageBand: { '18-24': 0.6, '25-34': 0.5 },
      region: { 'CN-SH': 0.2, 'US-CA': 0.1 },
      interests: { knitting: 0.1 } as AudienceProfile['interests'],
    });
    expect(issuesOf(AccountInput, listing(profile))).toEqual([
      { field: 'audience.gender.female', message: 'share must be a number between 0 and 1, got 1.2' },
      { field: 'audience.ageBand', message: 'shares must sum to at most 1, got 1.1' },
      { field: 'audience.region.US-CA', message: 'unknown key "US-CA"' },
      { field: 'audience.interests.knitting', message: 'unknown key "knitting"' },
    ]);
  });

  it('does check counts', () => {
    const profile = { ...anAudience(), followers: -1, averageReads: 1.5 };
    expect(issuesOf(AccountInput, listing(profile)).map((i) => i.field)).toEqual(['audience.followers', 'audience.averageReads']);
  });

  it('does refuse an empty distribution', () => {
    expect(issuesOf(AudienceInput, anAudience({ gender: {} }))).toEqual([{ field: 'gender', message: 'must give the share of at least one value' }]);
  });
});
