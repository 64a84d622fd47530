import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { settleExpiredLeases } from '../../functions/app/billing/settle-leases.js';
import { ServeEngine } from '../../functions/app/serving/serve-engine.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { aMarket, anActiveCampaign, aUnit, onUnit, type Market } from '../support/campaigns.js';
import { booksOf, expectSettled, settleAll, tokensFor } from '../support/billing.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call } from '../support/http.js';
import { ledgerState, total } from '../support/money.js';
import { scanEntity } from '../support/table.js';

/**
 * Budget leases, the journal and aggregated postings (DESIGN §8) with several serve instances
 * (separate engines over one table) and instances that die before they flush. The oracle is the
 * table itself: every billed event in the journal is posted exactly once, the budget ends at its
 * total less what the journal billed, and the ledger sums to zero and replays to its balances.
 */

const CHARGE = 1_000;
// Timers never flush in these tests: an instance posts only when told to, so "dying" loses its unposted batches.
const NO_TIMER = { COUNTER_FLUSH_MS: String(24 * 3_600_000), LEASE_MIN_EVENTS: '4' };

let deps: Deps;
let app: ReturnType<typeof createApp>;
let market: Market;

const clock = () => deps.clock as MovableClock;

async function aCampaignFor(budgetMicros: number): Promise<{ id: string; unit: string }> {
  const unit = await aUnit(app, market);
  const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), budget: { totalMicros: budgetMicros } });
  return { id, unit };
}

beforeAll(async () => {
  deps = await testDeps({ env: NO_TIMER });
  app = createApp(deps);
  market = await aMarket(app, deps);
});

describe('budget leases', { timeout: 300_000 }, () => {
  it('several instances billing one campaign at once never pass its budget, and the ledger equals the journal', async () => {
    const { id, unit } = await aCampaignFor(30 * CHARGE);
    const engines = [new ServeEngine(deps), new ServeEngine(deps), new ServeEngine(deps)];
    const tokens = tokensFor(deps, market, id, unit, 45, { charge: CHARGE });
    const outcomes = await Promise.all(tokens.map((t, i) => engines[i % engines.length]!.track(t.impression, 'i', t.source)));
    const billed = outcomes.filter((o) => o.outcome === 'billed').length;
    expect(billed * CHARGE).toBeLessThanOrEqual(30 * CHARGE);
    expect(outcomes.every((o) => o.outcome === 'billed' || o.outcome === 'budget')).toBe(true);
    await Promise.all(engines.map((e) => e.stop()));
    const books = await expectSettled(deps, id);
    expect(books.journalEvents).toBe(billed);
  });

  it('settles what a dead instance billed from the journal: every billed event posted once, the rest of its lease returned', async () => {
    const { id, unit } = await aCampaignFor(100 * CHARGE);
    const dying = new ServeEngine(deps);
    const tokens = tokensFor(deps, market, id, unit, 9, { charge: CHARGE });
    for (const t of tokens.slice(0, 5)) expect((await dying.track(t.impression, 'i', t.source)).outcome).toBe('billed');
    clock().advance(deps.config.POSTING_INTERVAL_SECONDS * 1000);
    await dying.flush(); // posted: the first five (their interval has ended)
    for (const t of tokens.slice(5)) expect((await dying.track(t.impression, 'i', t.source)).outcome).toBe('billed');
    // It dies here: four billed events never posted, its lease never returned.
    const before = await booksOf(deps, id);
    expect(before.postedMicros).toBe(5 * CHARGE);
    expect(before.openLeases).toBe(1);
    await settleAll(deps);
    const books = await expectSettled(deps, id);
    expect(books.journalMicros).toBe(9 * CHARGE);
    // A second run, and the dead instance's late flush, change nothing.
    await settleExpiredLeases(deps, deps.clock());
    await dying.stop();
    expect(await expectSettled(deps, id)).toEqual(books);
  });

  it('shows a campaign spent what was billed, not what is leased: spent = billed after a flush, remaining = budget − billed', async () => {
    const { id, unit } = await aCampaignFor(100 * CHARGE);
    const engine = new ServeEngine(deps);
    const progress = async () => {
      const body = (await call(app, 'GET', `/v1/campaigns/${id}`, { key: market.advertiser.key })).body;
      return { spentMicros: body.spentMicros, remainingMicros: body.remainingMicros };
    };
    // Seven billed events: more than one lease of four charges, the last one live with one unbilled charge.
    for (const t of tokensFor(deps, market, id, unit, 7, { charge: CHARGE })) expect((await engine.track(t.impression, 'i', t.source)).outcome).toBe('billed');
    clock().advance(deps.config.POSTING_INTERVAL_SECONDS * 1000);
    await engine.flush();
    expect((await booksOf(deps, id)).openLeases).toBe(1);
    expect(await progress()).toEqual({ spentMicros: 7 * CHARGE, remainingMicros: 93 * CHARGE });
    await engine.stop();
    expect(await progress()).toEqual({ spentMicros: 7 * CHARGE, remainingMicros: 93 * CHARGE });
  });

  it('spreads pending earnings and held funds over several balance items, and every reader sees their sum, also after the campaign ends mid-lease', async () => {
    // A market of its own: its wallets hold only this campaign's money.
    const own = await aMarket(app, deps);
    const FUNDS = 10_000_000_000;
    const BUDGET = 1_000 * CHARGE;
    const units = [own.unitId, ...(await Promise.all(Array.from({ length: 5 }, () => aUnit(app, own))))];
    const id = await anActiveCampaign(app, deps, own.advertiser, own.admin, {
      targeting: [[{ attribute: 'adUnitId', op: 'in', values: units }]],
      budget: { totalMicros: BUDGET },
    });
    const engines = [new ServeEngine(deps), new ServeEngine(deps), new ServeEngine(deps)];
    const tokens = units.flatMap((unit) => tokensFor(deps, own, id, unit, 6, { charge: CHARGE }));
    // One publisher's postings credit one shard per campaign and interval: the events span several intervals.
    for (const [i, t] of tokens.entries()) {
      if (i % 6 === 0) clock().advance(deps.config.POSTING_INTERVAL_SECONDS * 1_000);
      expect((await engines[i % engines.length]!.track(t.impression, 'i', t.source)).outcome).toBe('billed');
    }
    await Promise.all(engines.slice(1).map((e) => e.stop()));
    // The campaign ends while the first instance still holds a lease with unposted events.
    expect((await call(app, 'POST', `/v1/campaigns/${id}/archive`, { key: own.advertiser.key })).status).toBe(200);
    await engines[0]!.stop();
    const billed = tokens.length * CHARGE;
    const owner = (tokens.length * CHARGE * (10_000 - deps.config.PLATFORM_FEE_BPS)) / 10_000;
    const items = (account: string) => scanEntity(deps, 'balance').then((all) => all.filter((b) => b.account === account && b.balanceMicros !== 0));
    expect((await items(`publisher:${own.publisher.id}:pending`)).length).toBeGreaterThan(1);
    const wallet = async (key: string) => (await call(app, 'GET', '/v1/wallet', { key })).body.balances;
    expect(await wallet(own.publisher.key)).toMatchObject({ pendingMicros: owner, earnedMicros: 0 });
    expect(await wallet(own.advertiser.key)).toMatchObject({ heldMicros: 0, availableMicros: FUNDS - billed });
    const books = await booksOf(deps, id);
    expect(books).toMatchObject({ journalMicros: billed, postedMicros: billed, openLeases: 0, leasedMicros: 0 });
    const { stored, replayed } = await ledgerState(deps);
    expect(total(stored)).toBe(0);
    expect(stored).toEqual(replayed);
  });

  it('posts what a lease billed on one publisher’s units in one interval as one ledger entry, with a clearing entry per unit', async () => {
    const own = await aMarket(app, deps);
    const units = [own.unitId, ...(await Promise.all(Array.from({ length: 4 }, () => aUnit(app, own))))];
    const id = await anActiveCampaign(app, deps, own.advertiser, own.admin, {
      targeting: [[{ attribute: 'adUnitId', op: 'in', values: units }]],
      budget: { totalMicros: 1_000 * CHARGE },
    });
    const engine = new ServeEngine(deps);
    const tokens = units.flatMap((unit) => tokensFor(deps, own, id, unit, 3, { charge: CHARGE }));
    for (const t of tokens) expect((await engine.track(t.impression, 'i', t.source)).outcome).toBe('billed');
    await engine.stop();
    // The clock did not move: every event fell in one interval. Each lease that billed them posts once.
    const leases = new Set((await scanEntity(deps, 'decisionEvent')).filter((e) => e.campaignId === id && e.billed).map((e) => e.leaseId));
    expect(leases.size).toBeLessThan(units.length);
    const entries = (await scanEntity(deps, 'ledgerLine')).filter((l) => l.pk === `LEDGER#${own.advertiser.id}` && l.events !== undefined);
    expect(entries).toHaveLength(leases.size);
    expect(entries.reduce((n, l) => n + Number(l.events), 0)).toBe(tokens.length);
    const clearing = (await scanEntity(deps, 'clearingEntry')).filter((e) => e.campaignId === id);
    expect(clearing.map((e) => [e.adUnitId, e.events]).sort()).toEqual(units.map((u) => [u, 3]).sort());
    const { stored, replayed } = await ledgerState(deps);
    expect(total(stored)).toBe(0);
    expect(stored).toEqual(replayed);
  });

  it('stops a flush at its deadline: what it could not post waits for the next flush or the settlement job, and nothing is dropped', async () => {
    const units = [await aUnit(app, market), await aUnit(app, market), await aUnit(app, market)];
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      // Enough that no lease claim is refused (a refused claim flushes on its own).
      targeting: [[{ attribute: 'adUnitId', op: 'in', values: units }]],
      budget: { totalMicros: 1_000 * CHARGE },
    });
    // A deadline shorter than any write: a flush starts at most one posting per lease, then stops.
    // Two leases (four charges, then the rest) hold three postings (a unit's two events each, in
    // an interval of their own), so one flush cannot post them all.
    const engine = new ServeEngine({ ...deps, config: { ...deps.config, BILLING_DEADLINE_MS: 1 } });
    const tokens = units.flatMap((unit) => tokensFor(deps, market, id, unit, 2, { charge: CHARGE }));
    for (const [i, t] of tokens.entries()) {
      if (i % 2 === 0) clock().advance(deps.config.POSTING_INTERVAL_SECONDS * 1_000);
      expect((await engine.track(t.impression, 'i', t.source)).outcome).toBe('billed');
    }
    clock().advance(deps.config.POSTING_INTERVAL_SECONDS * 1000);
    await engine.flush();
    const cut = await booksOf(deps, id);
    expect(cut.journalMicros).toBe(6 * CHARGE);
    expect(cut.postedMicros).toBeLessThan(cut.journalMicros);
    await engine.stop();
    await settleAll(deps);
    expect((await expectSettled(deps, id)).journalMicros).toBe(6 * CHARGE);
  });

  it('keeps the books exact over random sequences of events, flushes and crashes across instances', async () => {
    type Cmd = { kind: 'event'; engine: number; replay: boolean } | { kind: 'flush'; engine: number } | { kind: 'crash'; engine: number } | { kind: 'settle' };
    const cmd: fc.Arbitrary<Cmd> = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('event' as const), engine: fc.nat(1), replay: fc.boolean() }), weight: 6 },
      fc.record({ kind: fc.constant('flush' as const), engine: fc.nat(1) }),
      fc.record({ kind: fc.constant('crash' as const), engine: fc.nat(1) }),
      fc.record({ kind: fc.constant('settle' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 3, maxLength: 14 }), async (cmds) => {
        const { id, unit } = await aCampaignFor(8 * CHARGE);
        const tokens = tokensFor(deps, market, id, unit, cmds.length, { charge: CHARGE });
        const engines = [new ServeEngine(deps), new ServeEngine(deps)];
        let sent = 0;
        for (const c of cmds) {
          if (c.kind === 'event') {
            const t = c.replay && sent > 0 ? tokens[sent - 1]! : tokens[sent++]!;
            await engines[c.engine]!.track(t.impression, 'i', t.source);
          } else if (c.kind === 'flush') await engines[c.engine]!.flush();
          else if (c.kind === 'crash') engines[c.engine] = new ServeEngine(deps);
          else await settleAll(deps);
        }
        await Promise.all(engines.map((e) => e.stop()));
        await settleAll(deps);
        const books = await expectSettled(deps, id);
        expect(books.journalMicros).toBeLessThanOrEqual(8 * CHARGE);
      }),
      { numRuns: 6 },
    );
  }, 600_000);
});
