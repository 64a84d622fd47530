import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearEarnings } from '../../functions/app/billing/clear-earnings.js';
import { ServeEngine } from '../../functions/app/serving/serve-engine.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { getItem } from '../../functions/store/items.js';
import { keys } from '../../functions/store/keys.js';
import { tokensFor } from '../support/billing.js';
import { aMarket, anActiveCampaign, aUnit, onUnit, type Market } from '../support/campaigns.js';
import { movableClock, testDeps, type MovableClock } from '../support/deps.js';
import { call } from '../support/http.js';
import { ledgerState, total } from '../support/money.js';

/**
 * A model test of programmatic money with a movable clock (DESIGN §8–9, issue 10): random
 * sequences of billed events (two campaigns, two units, a few sources), clock ticks that run the
 * clearing job, invalid-traffic rulings by unit or by source over a range reaching back from now,
 * and operator verdicts on the account (verify, reject). The model follows each event: pending,
 * cleared or refunded. After every step: the ledger sums to zero and replays to the stored
 * balances; the owner's pending and earned balances, the advertiser's held funds, each campaign's
 * budget and the platform's revenue are what the model says, to the micro; a ruling or a
 * rejection refunds exactly what the model says it covers.
 *
 * The model's rules, written out from the issue rather than read from the code:
 * - an event's money is pending from billing until its clearing entry (unit × posting interval ×
 *   campaign) clears: no sooner than CLEARING_DAYS after the interval's start, and only while the
 *   account is verified; an entry the job finds due while the account is not verified waits until
 *   the next day's run;
 * - a unit ruling refunds every uncleared event of the unit whose interval starts within the range
 *   (its start rounded down to its interval); a source ruling every uncleared event of that
 *   fingerprint billed within the range; a rejection every uncleared event of the account; the
 *   fee is 10 %, rounded down to the micro; nothing is refunded twice.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CLEARING_DAYS = 30;
const INTERVAL_MS = 10_000;
const FEE_BPS = 1000;
const BUDGET = 100_000_000;
const CHARGES = [10_000, 12_345, 1_001] as const;
const SOURCES = 3;

type Command =
  | { kind: 'bill'; campaign: number; unit: number; source: number; n: number; charge: number }
  | { kind: 'tick'; hours: number }
  | { kind: 'rule-unit'; unit: number; backHours: number }
  | { kind: 'rule-source'; event: number; backHours: number }
  | { kind: 'verify' }
  | { kind: 'reject' };

/** How far back a ruling reaches: mostly hours (part of the pending traffic), sometimes past the clearing period. */
const reach = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 72 }), weight: 3 }, fc.integer({ min: 24 * 10, max: 24 * 40 }));

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('bill' as const),
      campaign: fc.nat(1),
      unit: fc.nat(1),
      source: fc.nat(SOURCES - 1),
      n: fc.integer({ min: 1, max: 3 }),
      charge: fc.nat(CHARGES.length - 1),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('tick' as const), hours: fc.oneof(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 24 * 10, max: 24 * 31 })) }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('rule-unit' as const), unit: fc.nat(1), backHours: reach }),
  fc.record({ kind: fc.constant('rule-source' as const), event: fc.nat(50), backHours: reach }),
  fc.record({ kind: fc.constant('verify' as const) }),
  fc.record({ kind: fc.constant('reject' as const) }),
);

interface ModelEvent {
  campaign: number;
  unit: number;
  fingerprint: string;
  at: number;
  interval: number;
  charge: number;
  owner: number;
  fee: number;
  state: 'pending' | 'cleared' | 'refunded';
}

interface ModelEntry {
  clearsAt: number;
  /** The UTC day whose run of the job looks at it. */
  dueDay: string;
  cleared: boolean;
  events: ModelEvent[];
}

interface World {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  clock: MovableClock;
  engine: ServeEngine;
  market: Market;
  units: string[];
  campaigns: string[];
  verified: boolean;
  events: ModelEvent[];
  entries: Map<string, ModelEntry>;
}

const dayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);
const split = (charge: number) => {
  const fee = Math.floor((charge * FEE_BPS) / 10_000);
  return { charge, owner: charge - fee, fee };
};

async function newWorld(): Promise<World> {
  const clock = movableClock();
  const deps = await testDeps({ clock, env: { COUNTER_FLUSH_MS: String(DAY), SOURCE_CAMPAIGN_DAILY_LIMIT: '10000', SOURCE_UNIT_HOURLY_LIMIT: '10000' } });
  expect(deps.config).toMatchObject({ CLEARING_DAYS, POSTING_INTERVAL_SECONDS: INTERVAL_MS / 1000, PLATFORM_FEE_BPS: FEE_BPS });
  const app = createApp(deps);
  const market = await aMarket(app, deps);
  const units = [market.unitId, await aUnit(app, market)];
  const schedule = { start: new Date(clock().getTime() - HOUR).toISOString(), end: new Date(clock().getTime() + 400 * DAY).toISOString(), timezone: 'UTC' };
  const campaigns = [];
  for (let i = 0; i < 2; i++)
    campaigns.push(
      await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(units[i]!), schedule, budget: { totalMicros: BUDGET } }),
    );
  // The account starts verified (verdicts come as commands); the job runs from the start (every minute on AWS).
  expect((await call(app, 'POST', `/v1/admin/accounts/${market.accountId}/verify`, { key: market.admin, body: {} })).status).toBe(200);
  await clearEarnings(deps, clock());
  return { deps, app, clock, engine: new ServeEngine(deps), market, units, campaigns, verified: true, events: [], entries: new Map() };
}

const pending = (w: World) => w.events.filter((e) => e.state === 'pending');
const sum = (events: ModelEvent[], what: 'charge' | 'owner' | 'fee') => events.reduce((s, e) => s + e[what], 0);

/** Refunds the model's events, checking the platform refunded exactly their charges. */
function expectRefund(covered: ModelEvent[], refundedMicros: number, what: string): void {
  expect(refundedMicros, what).toBe(sum(covered, 'charge'));
  for (const e of covered) e.state = 'refunded';
}

async function run(w: World, c: Command): Promise<void> {
  const now = () => w.clock().getTime();
  switch (c.kind) {
    case 'bill': {
      // A new posting interval, so one command's events never share an entry with an earlier ruling's.
      w.clock.advance(INTERVAL_MS);
      const tag = `m${w.events.length}${Math.floor(Math.random() * 1e9).toString(36)}`;
      const tokens = tokensFor(w.deps, w.market, w.campaigns[c.campaign]!, w.units[c.unit]!, c.n, {
        charge: CHARGES[c.charge]!,
        tag,
        viewer: () => `source-${c.source}`,
      });
      for (const [i, t] of tokens.entries()) {
        expect((await w.engine.track(t.impression, 'i', t.source)).outcome).toBe('billed');
        // When and in which interval it was billed, as its journal item recorded it.
        const billed = (await getItem<{ at: number; interval: number }>(w.deps.db, keys.journalEvent(t.fingerprint, `dec_${tag}_${i}`, 'IMP'), {
          consistent: true,
        }))!;
        const event: ModelEvent = {
          campaign: c.campaign,
          unit: c.unit,
          fingerprint: t.fingerprint,
          at: billed.at,
          interval: billed.interval,
          ...split(CHARGES[c.charge]!),
          state: 'pending',
        };
        w.events.push(event);
        const key = `${c.unit}|${billed.interval}|${c.campaign}`;
        let entry = w.entries.get(key);
        if (entry === undefined) {
          const clearsAt = billed.interval + CLEARING_DAYS * DAY;
          entry = { clearsAt, dueDay: dayOf(clearsAt), cleared: false, events: [] };
          w.entries.set(key, entry);
        }
        entry.events.push(event);
      }
      await w.engine.returnLeases(); // posts what was billed: the events reach the ledger and their entries
      return;
    }
    case 'tick': {
      w.clock.advance(c.hours * HOUR);
      await clearEarnings(w.deps, w.clock());
      const t = now();
      for (const entry of w.entries.values()) {
        if (entry.cleared || entry.dueDay > dayOf(t) || entry.clearsAt > t) continue;
        if (!w.verified) {
          entry.dueDay = dayOf(t + DAY);
          continue;
        }
        entry.cleared = true;
        for (const e of entry.events) if (e.state === 'pending') e.state = 'cleared';
      }
      return;
    }
    case 'rule-unit': {
      const from = now() - c.backHours * HOUR;
      const to = now();
      const res = await call(w.app, 'POST', '/v1/admin/invalid-traffic', {
        key: w.market.admin,
        body: { adUnitId: w.units[c.unit], from: new Date(from).toISOString(), to: new Date(to).toISOString(), reason: 'model: unit' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const start = Math.floor(from / INTERVAL_MS) * INTERVAL_MS;
      expectRefund(
        pending(w).filter((e) => e.unit === c.unit && e.interval >= start && e.interval <= to),
        res.body.refundedMicros,
        'unit ruling',
      );
      return;
    }
    case 'rule-source': {
      const target = w.events[c.event % Math.max(1, w.events.length)];
      if (target === undefined) return;
      const from = now() - c.backHours * HOUR;
      const to = now();
      const res = await call(w.app, 'POST', '/v1/admin/invalid-traffic', {
        key: w.market.admin,
        body: { fingerprint: target.fingerprint, from: new Date(from).toISOString(), to: new Date(to).toISOString(), reason: 'model: source' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expectRefund(
        pending(w).filter((e) => e.fingerprint === target.fingerprint && e.at >= from && e.at <= to),
        res.body.refundedMicros,
        'source ruling',
      );
      return;
    }
    case 'verify': {
      expect((await call(w.app, 'POST', `/v1/admin/accounts/${w.market.accountId}/verify`, { key: w.market.admin, body: {} })).status).toBe(200);
      w.verified = true;
      return;
    }
    case 'reject': {
      const heldBefore = await held(w);
      const res = await call(w.app, 'POST', `/v1/admin/accounts/${w.market.accountId}/reject`, { key: w.market.admin, body: { reason: 'model' } });
      expect(res.status).toBe(200);
      const covered = pending(w);
      // The advertiser's held funds come back by exactly what was pending.
      expectRefund(covered, (await held(w)) - heldBefore, 'rejection');
      w.verified = false;
      return;
    }
  }
}

async function wallet(w: World, key: string): Promise<Record<string, number>> {
  return (await call(w.app, 'GET', '/v1/wallet', { key })).body.balances;
}
const held = async (w: World) => (await wallet(w, w.market.advertiser.key)).heldMicros!;

async function checkInvariants(w: World): Promise<void> {
  const { stored, replayed } = await ledgerState(w.deps);
  expect(total(stored), 'balances sum to zero').toBe(0);
  expect(stored, 'the ledger replays to the stored balances').toEqual(replayed);
  const notRefunded = w.events.filter((e) => e.state !== 'refunded');
  const publisher = await wallet(w, w.market.publisher.key);
  expect(publisher.pendingMicros, 'pending: billed, not cleared, not refunded').toBe(sum(pending(w), 'owner'));
  expect(publisher.earnedMicros, 'earned: cleared').toBe(
    sum(
      w.events.filter((e) => e.state === 'cleared'),
      'owner',
    ),
  );
  expect(await held(w), 'held: the budgets less what stands billed').toBe(2 * BUDGET - sum(notRefunded, 'charge'));
  expect(stored.get('platform:revenue') ?? 0, 'the platform keeps the fee of what stands billed').toBe(sum(notRefunded, 'fee'));
  for (const [i, id] of w.campaigns.entries()) {
    const budget = await getItem<{ remainingMicros: number }>(w.deps.db, keys.campaignBudget(id), { consistent: true });
    expect(budget!.remainingMicros, `budget of campaign ${i}`).toBe(
      BUDGET -
        sum(
          notRefunded.filter((e) => e.campaign === i),
          'charge',
        ),
    );
  }
}

const NUM_RUNS = 8;
const MAX_COMMANDS = 24;

describe('programmatic money, clearing and rulings, modelled', () => {
  it(`keeps the books exact over ${NUM_RUNS} random runs of up to ${MAX_COMMANDS} steps`, async () => {
    const stats = { steps: 0, events: 0, cleared: 0, refunded: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 12, maxLength: MAX_COMMANDS }), async (commands) => {
        const w = await newWorld();
        try {
          for (const c of commands) {
            await run(w, c);
            await checkInvariants(w);
          }
        } finally {
          await w.engine.stop();
        }
        stats.steps += commands.length;
        stats.events += w.events.length;
        stats.cleared += w.events.filter((e) => e.state === 'cleared').length;
        stats.refunded += w.events.filter((e) => e.state === 'refunded').length;
      }),
      { numRuns: NUM_RUNS },
    );
    console.info(`clearing model: ${stats.steps} steps, ${stats.events} events billed, ${stats.cleared} cleared, ${stats.refunded} refunded`);
    expect(stats.cleared).toBeGreaterThan(0);
    expect(stats.refunded).toBeGreaterThan(0);
  }, 900_000);
});
