import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import { seedMarketplace } from '../../scripts/seed.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { countReads } from '../support/counting-db.js';
import { call, type Schemas } from '../support/http.js';

/**
 * Search and match read the marketplace from an in-memory snapshot: once warm, a request reads
 * the caller's API key and at most the few feed items that changed — never the marketplace.
 */
async function warmReads(accounts: number): Promise<{ search: number; match: number; plan: number; results: number }> {
  const deps = await testDeps();
  const clock = deps.clock as MovableClock;
  const seeded = await seedMarketplace(deps, { accounts, days: 7 });
  const app = createApp(deps);
  const key = seeded.advertiserKey;
  const from = clock().toISOString().slice(0, 10);
  const to = new Date(clock().getTime() + 6 * 86_400_000).toISOString().slice(0, 10);
  const search = `/v1/marketplace/accounts?sort=price&availableFrom=${from}&availableTo=${to}&limit=10` as const;
  const match: Schemas['MatchQuery'] = { targeting: { gender: ['female'], ageBands: ['25-34'] }, dateFrom: from, dateTo: to, limit: 10 };

  clock.advance(10_000);
  expect((await call(app, 'GET', search, { key })).status).toBe(200); // cold: loads the snapshot
  const reads = countReads(deps.db);
  const measure = async <B>(request: () => Promise<{ status: number; body: B }>) => {
    clock.advance(1_100); // past the snapshot's one-look-per-second limit: every request looks at the feed
    reads.reset();
    const res = await request();
    expect(res.status).toBe(200);
    return { items: reads.items, body: res.body };
  };
  const s = await measure(() => call(app, 'GET', search, { key }));
  const m = await measure(() => call(app, 'POST', '/v1/marketplace/match', { key, body: match }));
  const p = await measure(() => call(app, 'POST', '/v1/marketplace/match', { key, body: { ...match, budgetMicros: 50_000_000_000 } }));
  expect(s.body.items).toHaveLength(10);
  expect(m.body.results).toHaveLength(10);
  expect(p.body.plan?.slots.length).toBeGreaterThan(10);
  return { search: s.items, match: m.items, plan: p.items, results: 10 };
}

describe('marketplace search and match cost', () => {
  it('reads the same few items per warm request over 40 and 400 accounts, not the marketplace', { timeout: 120_000 }, async () => {
    const small = await warmReads(40);
    const large = await warmReads(400);
    console.log('items read per warm request', { small, large });
    expect(large).toEqual(small);
    // The API key's item, and no marketplace item at all: well under results + a constant.
    for (const n of [small.search, small.match, small.plan]) expect(n).toBeLessThanOrEqual(small.results + 2);
  });
});
