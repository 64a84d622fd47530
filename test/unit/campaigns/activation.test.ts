import { describe, expect, it } from 'vitest';
import { activated } from '../../../functions/core/campaigns/activation.js';
import type { Campaign } from '../../../functions/core/campaigns/campaign.js';
import { ConflictError } from '../../../functions/core/shared/errors.js';

// Only the fields activation reads; the rest of a campaign does not matter to it.
const draft = {
  id: 'cmp_1',
  status: 'draft',
  funded: false,
  creatives: [{ id: 'crv_1', title: 't', body: 'b', landingUrl: 'https://example.com' }],
  schedule: { start: '2030-01-01T00:00:00Z', end: '2030-02-01T00:00:00Z', timezone: 'Asia/Shanghai' },
  updatedAt: '2029-12-01T00:00:00.000Z',
} as unknown as Campaign;

describe('campaign activation', () => {
  it('does activate a draft with an approved creative before its schedule ends, funded from then on', () => {
    const now = new Date('2030-01-15T00:00:00Z');
    expect(activated(draft, now)).toMatchObject({ status: 'active', funded: true, updatedAt: '2030-01-15T00:00:00.000Z' });
  });
  it('does refuse with 409 once the schedule has ended, at its very end too', () => {
    expect(() => activated(draft, new Date('2030-02-01T00:00:00Z'))).toThrow("Campaign cmp_1's schedule has already ended");
    expect(() => activated(draft, new Date('2030-03-01T00:00:00Z'))).toThrow(ConflictError);
  });
  it('does refuse with 409 without an approved creative', () => {
    expect(() => activated({ ...draft, creatives: [] }, new Date('2030-01-15T00:00:00Z'))).toThrow(/no approved creative/);
  });
});
