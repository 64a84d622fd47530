import { describe, expect, it } from 'vitest';
import { AudienceInput } from '../../../functions/core/marketplace/audience.js';
import { SEED_OPTIONS, generateMarketplace } from '../../../scripts/seed-data.js';
import { validateSlotFields } from '../../../functions/core/marketplace/slots.js';
import { issuesOf } from './fixtures.js';

const input = { accounts: 60, days: 30, startDate: '2025-03-01', seed: 7 };

describe('generateMarketplace', () => {
  const market = generateMarketplace(input);

  it('does give the same marketplace for the same seed, and another for another seed', () => {
    expect(generateMarketplace(input)).toEqual(market);
    expect(generateMarketplace({ ...input, seed: 8 })).not.toEqual(market);
  });

  it('does produce audiences that pass validation', () => {
    expect(market.accounts).toHaveLength(60);
    for (const account of market.accounts) expect(issuesOf(AudienceInput, account.audience)).toEqual([]);
  });

  it('does keep followers and reads in realistic ranges', () => {
    const { followers, readRate } = SEED_OPTIONS;
    for (const { audience } of market.accounts) {
      expect(audience.followers).toBeGreaterThanOrEqual(followers.min);
      expect(audience.followers).toBeLessThanOrEqual(followers.max);
      expect(audience.averageReads).toBeGreaterThanOrEqual(Math.floor(audience.followers * readRate.min));
      expect(audience.averageReads).toBeLessThanOrEqual(audience.followers * readRate.max);
    }
  });

  it('does list valid open slots inside the period, not every day, headline above secondary above end mention', () => {
    const byAccount = new Map(market.accounts.map((a) => [a.id, a]));
    const days = new Set<string>();
    for (const slot of market.slots) {
      expect(validateSlotFields(slot)).toEqual([]);
      expect(slot.status).toBe('open');
      expect(slot.publishDate >= '2025-03-01' && slot.publishDate <= '2025-03-30').toBe(true);
      const account = byAccount.get(slot.accountId)!;
      if (slot.format === 'ad_card') {
        const reads = account.audience.averageReads;
        expect(slot.committedReads!).toBeGreaterThanOrEqual(Math.floor(reads * 0.7) - 1);
        expect(slot.committedReads!).toBeLessThanOrEqual(Math.ceil(reads * 0.9));
      }
      days.add(`${slot.accountId}|${slot.publishDate}`);
    }
    expect(days.size).toBeLessThan(60 * 30);
    expect(market.slots.some((s) => s.format === 'custom_article')).toBe(true);

    const order = ['headline', 'secondary', 'end_mention'];
    const perDay = new Map<string, Map<string, number>>();
    for (const s of market.slots) {
      const key = `${s.accountId}|${s.publishDate}`;
      perDay.set(key, (perDay.get(key) ?? new Map()).set(s.position, s.priceMicros));
    }
    for (const prices of perDay.values()) {
      const listed = order.filter((p) => prices.has(p)).map((p) => prices.get(p)!);
      for (let i = 1; i < listed.length; i++) expect(listed[i]!).toBeLessThan(listed[i - 1]!);
    }
  });

  it('does give every account an ad unit and publishers one to three accounts', () => {
    const units = new Set(market.adUnits.map((u) => u.accountId));
    expect(units.size).toBe(60);
    for (const u of market.adUnits) {
      const account = market.accounts.find((a) => a.id === u.accountId)!;
      expect(u.blockedCategories).not.toContain(account.category);
      expect(u.floorCpmMicros).toBeGreaterThan(0);
    }
    const perPublisher = new Map<string, number>();
    for (const a of market.accounts) perPublisher.set(a.ownerTenantId, (perPublisher.get(a.ownerTenantId) ?? 0) + 1);
    for (const n of perPublisher.values()) expect(n).toBeLessThanOrEqual(SEED_OPTIONS.maxAccountsPerPublisher);
    expect(market.publishers.map((p) => p.tenantId).sort()).toEqual([...perPublisher.keys()].sort());
  });
});
