import type { z } from 'zod';
import type { OfficialAccount } from '../../../functions/core/marketplace/account.js';
import type { AudienceProfile } from '../../../functions/core/marketplace/audience.js';
import type { Slot } from '../../../functions/core/marketplace/slots.js';
import type { FieldIssue } from '../../../functions/core/shared/errors.js';
import { fieldIssues } from '../../../functions/core/shared/inputs.js';

export const CNY = 1_000_000;

export function anAudience(overrides: Partial<AudienceProfile> = {}): AudienceProfile {
  return {
    followers: 100_000,
    averageReads: 10_000,
    gender: { female: 0.6, male: 0.4 },
    ageBand: { '18-24': 0.2, '25-34': 0.5, '35-44': 0.2 },
    region: { 'CN-SH': 0.2, 'CN-BJ': 0.1, 'CN-GD': 0.3 },
    interests: { technology: 0.4, investing: 0.2 },
    source: 'verified',
    updatedAt: '2025-02-01T00:00:00.000Z',
    ...overrides,
  };
}

export function anAccount(overrides: Partial<OfficialAccount> = {}): OfficialAccount {
  return {
    id: 'acct_a',
    ownerTenantId: 'tnt_1',
    platform: 'wechat',
    handle: 'acct_a',
    name: 'Account A',
    category: 'tech',
    description: 'A test account',
    audience: anAudience(),
    ...overrides,
  };
}

export function aSlot(overrides: Partial<Slot> = {}): Slot {
  return {
    id: 'slot_1',
    accountId: 'acct_a',
    publishDate: '2025-03-03',
    position: 'headline',
    format: 'ad_card',
    committedReads: 8_000,
    priceMicros: 900 * CNY,
    status: 'open',
    ...overrides,
  };
}

/** What a schema says of a value, as the 400 lists it: `[]` when it parses. */
export function issuesOf(schema: z.ZodType, value: unknown): FieldIssue[] {
  return fieldIssues(schema.safeParse(value).error?.issues ?? []);
}
