import { beforeAll, describe, expect, it } from 'vitest';
import { clearEarnings } from '../../functions/app/billing/clear-earnings.js';
import { ServeEngine } from '../../functions/app/serving/serve-engine.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { aMarket, anActiveCampaign, aUnit, onUnit, type Market } from '../support/campaigns.js';
import { tokensFor } from '../support/billing.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call, having } from '../support/http.js';
import { ledgerState, total } from '../support/money.js';
import { getItem } from '../../functions/store/items.js';
import { keys } from '../../functions/store/keys.js';

/**
 * Clearing (DESIGN §9) with a movable clock: programmatic earnings are pending for CLEARING_DAYS,
 * open to invalid-traffic rulings that refund the advertiser exactly, then cleared to `earned`
 * (verified accounts only); payouts come only from cleared earnings.
 */

const DAY = 86_400_000;
const CHARGE = 10_000; // owner 9 000, platform fee 1 000 (10 %)
const OWNER = 9_000;

let deps: Deps;
let app: ReturnType<typeof createApp>;
let market: Market;
let engine: ServeEngine;
const clock = () => deps.clock as MovableClock;

const balances = async (key: string) => (await call(app, 'GET', '/v1/wallet', { key })).body.balances;
const publisherWallet = async (key: string) => having(await balances(key), 'pendingMicros');
const advertiserWallet = async (key: string) => having(await balances(key), 'heldMicros');

/** The money rules at every step: the ledger sums to zero and replays to the stored balances. */
async function expectBooksBalanced(): Promise<void> {
  const { stored, replayed } = await ledgerState(deps);
  expect(total(stored)).toBe(0);
  expect(stored).toEqual(replayed);
}

/** Bills `n` impressions; returns the source fingerprint of each, as the journal records it. */
async function bill(campaignId: string, unit: string, n: number, viewer?: (i: number) => string): Promise<string[]> {
  const tokens = tokensFor(deps, market, campaignId, unit, n, { charge: CHARGE, ...(viewer ? { viewer } : {}) });
  for (const t of tokens) expect((await engine.track(t.impression, 'i', t.source)).outcome).toBe('billed');
  await engine.returnLeases();
  return tokens.map((t) => t.fingerprint);
}

beforeAll(async () => {
  deps = await testDeps({ env: { COUNTER_FLUSH_MS: String(24 * 3_600_000) } });
  app = createApp(deps);
  market = await aMarket(app, deps);
  engine = new ServeEngine(deps);
  expect((await call(app, 'POST', `/v1/admin/accounts/${market.accountId}/verify`, { key: market.admin, body: {} })).status).toBe(200);
});

describe('clearing', { timeout: 300_000 }, () => {
  it('keeps earnings pending for the clearing period, refunds a ruling inside it exactly, and clears the rest after it', async () => {
    const [unitA, unitB] = [await aUnit(app, market), await aUnit(app, market)];
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unitA) });
    const idB = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unitB) });
    const start = deps.clock().toISOString();
    const advertiserBefore = await advertiserWallet(market.advertiser.key);
    const publisherBefore = await publisherWallet(market.publisher.key);
    await bill(id, unitA, 3);
    await bill(idB, unitB, 2);
    await expectBooksBalanced();
    const pub = await publisherWallet(market.publisher.key);
    expect(pub.pendingMicros - publisherBefore.pendingMicros).toBe(5 * OWNER);
    expect(pub.earnedMicros).toBe(publisherBefore.earnedMicros);
    // Nothing cleared is there to pay out, whatever is pending.
    expect((await call(app, 'POST', '/v1/payouts', { key: market.publisher.key, body: { amountMicros: pub.earnedMicros + 1 } })).status).toBe(402);

    clock().advance(29 * DAY);
    await clearEarnings(deps, deps.clock());
    expect((await publisherWallet(market.publisher.key)).pendingMicros - publisherBefore.pendingMicros).toBe(5 * OWNER);
    await expectBooksBalanced();

    // Unit A's traffic ruled invalid inside the window: its three events go back to the advertiser's budget.
    const ruled = await call(app, 'POST', '/v1/admin/invalid-traffic', {
      key: market.admin,
      body: { adUnitId: unitA, from: start, to: deps.clock().toISOString(), reason: 'click farm' },
    });
    expect(ruled.status, JSON.stringify(ruled.body)).toBe(200);
    expect(ruled.body.refundedMicros).toBe(3 * CHARGE);
    await expectBooksBalanced();
    const adv = await advertiserWallet(market.advertiser.key);
    // Held (the budgets) lost the five charges to billing and got three back.
    expect(adv.heldMicros - advertiserBefore.heldMicros).toBe(-2 * CHARGE);
    expect((await publisherWallet(market.publisher.key)).pendingMicros - publisherBefore.pendingMicros).toBe(2 * OWNER);
    // A second ruling over the same traffic finds nothing left to refund.
    expect(
      (
        await call(app, 'POST', '/v1/admin/invalid-traffic', {
          key: market.admin,
          body: { adUnitId: unitA, from: start, to: deps.clock().toISOString(), reason: 'again' },
        })
      ).body.refundedMicros,
    ).toBe(0);

    clock().advance(2 * DAY);
    await clearEarnings(deps, deps.clock());
    const after = await publisherWallet(market.publisher.key);
    expect(after.pendingMicros - publisherBefore.pendingMicros).toBe(0);
    expect(after.earnedMicros - publisherBefore.earnedMicros).toBe(2 * OWNER);
    await expectBooksBalanced();
    // Cleared earnings are not taken back by a later ruling.
    expect(
      (
        await call(app, 'POST', '/v1/admin/invalid-traffic', {
          key: market.admin,
          body: { adUnitId: unitB, from: start, to: deps.clock().toISOString(), reason: 'late' },
        })
      ).body.refundedMicros,
    ).toBe(0);
    expect((await call(app, 'POST', '/v1/payouts', { key: market.publisher.key, body: { amountMicros: after.earnedMicros + 1 } })).status).toBe(402);
    expect((await call(app, 'POST', '/v1/payouts', { key: market.publisher.key, body: { amountMicros: after.earnedMicros } })).status).toBe(201);
    await expectBooksBalanced();
  });

  it('refunds the events of one source fingerprint, once, and leaves the others pending', async () => {
    const unit = await aUnit(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) });
    const start = deps.clock().toISOString();
    const before = await publisherWallet(market.publisher.key);
    // Three events from the bad source, two from others.
    const sources = await bill(id, unit, 5, (i) => (i < 3 ? 'bad-source' : `honest-${i}-${start}`));
    const body = { fingerprint: sources[0], from: start, to: deps.clock().toISOString(), reason: 'bot' };
    const ruled = await call(app, 'POST', '/v1/admin/invalid-traffic', { key: market.admin, body });
    expect(ruled.body).toEqual({ refundedMicros: 3 * CHARGE, refunds: 3 });
    expect((await call(app, 'POST', '/v1/admin/invalid-traffic', { key: market.admin, body })).body.refundedMicros).toBe(0);
    expect((await publisherWallet(market.publisher.key)).pendingMicros - before.pendingMicros).toBe(2 * OWNER);
    await expectBooksBalanced();
  });

  it('clears nothing of an unverified account: its earnings wait', async () => {
    const other = await aMarket(app, deps);
    const unit = other.unitId;
    const id = await anActiveCampaign(app, deps, other.advertiser, other.admin, { targeting: onUnit(unit) });
    const saved = market;
    market = other;
    try {
      await bill(id, unit, 2);
    } finally {
      market = saved;
    }
    clock().advance(31 * DAY);
    await clearEarnings(deps, deps.clock());
    const w = await publisherWallet(other.publisher.key);
    expect(w.pendingMicros).toBe(2 * OWNER);
    expect(w.earnedMicros).toBe(0);
    await expectBooksBalanced();
  });

  it('gives a rejected account’s uncleared earnings back to the advertisers exactly, with ledger lines naming why; cleared earnings stay', async () => {
    const other = await aMarket(app, deps);
    expect((await call(app, 'POST', `/v1/admin/accounts/${other.accountId}/verify`, { key: other.admin, body: {} })).status).toBe(200);
    const id = await anActiveCampaign(app, deps, other.advertiser, other.admin, { targeting: onUnit(other.unitId) });
    const budget = async () => (await getItem<{ remainingMicros: number }>(deps.db, keys.campaignBudget(id), { consistent: true }))!.remainingMicros;
    const saved = market;
    market = other;
    try {
      // Two events clear; three more are billed after, and are pending when the account is rejected.
      await bill(id, other.unitId, 2);
      await clearEarnings(deps, deps.clock()); // the job runs all along (every minute on AWS)
      clock().advance(31 * DAY);
      await clearEarnings(deps, deps.clock());
      expect(await publisherWallet(other.publisher.key)).toMatchObject({ pendingMicros: 0, earnedMicros: 2 * OWNER });
      const budgetBefore = await budget();
      const heldBefore = (await advertiserWallet(other.advertiser.key)).heldMicros;
      await bill(id, other.unitId, 3);
      expect(await budget()).toBe(budgetBefore - 3 * CHARGE);
      expect((await publisherWallet(other.publisher.key)).pendingMicros).toBe(3 * OWNER);
      clock().advance(DAY);

      const rejected = await call(app, 'POST', `/v1/admin/accounts/${other.accountId}/reject`, { key: other.admin, body: { reason: 'bought followers' } });
      expect(rejected.status).toBe(200);
      expect(rejected.body.verification).toMatchObject({ status: 'rejected', reason: 'bought followers' });
      // The campaign's budget and the advertiser's held funds are back to the micro; the cleared two stay earned.
      expect(await budget()).toBe(budgetBefore);
      expect((await advertiserWallet(other.advertiser.key)).heldMicros).toBe(heldBefore);
      expect(await publisherWallet(other.publisher.key)).toMatchObject({ pendingMicros: 0, earnedMicros: 2 * OWNER });
      await expectBooksBalanced();
      const lines = (await call(app, 'GET', '/v1/wallet/ledger?limit=100', { key: other.advertiser.key })).body.items as {
        memo: string;
        postings: { account: string; amountMicros: number }[];
      }[];
      const refunds = lines.filter((l) => l.memo.includes(`account ${other.accountId} rejected: bought followers`));
      const backToHeld = refunds.flatMap((l) => l.postings).filter((p) => p.account === `advertiser:${other.advertiser.id}:held`);
      expect(backToHeld.reduce((sum, p) => sum + p.amountMicros, 0)).toBe(3 * CHARGE);
      // Rejecting again finds nothing left to give back.
      expect((await call(app, 'POST', `/v1/admin/accounts/${other.accountId}/reject`, { key: other.admin, body: { reason: 'again' } })).status).toBe(200);
      expect(await budget()).toBe(budgetBefore);
      await expectBooksBalanced();
    } finally {
      market = saved;
    }
  });

  it('shows the owner, in GET /v1/reports, what of a unit’s earnings is pending, cleared and refunded', async () => {
    const unit = await aUnit(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit) });
    const start = deps.clock().toISOString();
    await bill(id, unit, 2);
    await clearEarnings(deps, deps.clock()); // the job runs all along (every minute on AWS)
    clock().advance(31 * DAY);
    await clearEarnings(deps, deps.clock());
    const sources = await bill(id, unit, 3, (i) => (i === 0 ? `refunded-${start}` : `kept-${i}-${start}`));
    const ruled = await call(app, 'POST', '/v1/admin/invalid-traffic', {
      key: market.admin,
      body: { fingerprint: sources[0], from: start, to: deps.clock().toISOString(), reason: 'bot' },
    });
    expect(ruled.body.refunds).toBe(1);
    const report = await call(app, 'GET', `/v1/reports?dimension=adUnit&id=${unit}&from=${start}&to=${deps.clock().toISOString()}`, {
      key: market.publisher.key,
    });
    expect(report.status).toBe(200);
    expect(report.body.earnings).toEqual({ pendingMicros: 2 * OWNER, clearedMicros: 2 * OWNER, refundedMicros: OWNER });
    // The advertiser sees its campaign's report, not the owner's earnings.
    const theirs = await call(app, 'GET', `/v1/reports?dimension=campaign&id=${id}&from=${start}&to=${deps.clock().toISOString()}`, {
      key: market.advertiser.key,
    });
    expect(theirs.body.earnings).toBeUndefined();
  });

  it('sums an account report’s earnings over every unit of the account, past the first hundred', async () => {
    const other = await aMarket(app, deps);
    for (let i = 0; i < 100; i++) await aUnit(app, other);
    const last = await aUnit(app, other); // ids sort by creation: the 102nd unit is on no first page of 100
    const id = await anActiveCampaign(app, deps, other.advertiser, other.admin, { targeting: onUnit(last) });
    const start = deps.clock().toISOString();
    const saved = market;
    market = other;
    try {
      await bill(id, last, 2);
    } finally {
      market = saved;
    }
    const report = await call(app, 'GET', `/v1/reports?dimension=account&id=${other.accountId}&from=${start}&to=${deps.clock().toISOString()}`, {
      key: other.publisher.key,
    });
    expect(report.status).toBe(200);
    expect(report.body.earnings).toEqual({ pendingMicros: 2 * OWNER, clearedMicros: 0, refundedMicros: 0 });
  });

  it('refuses a ruling naming both or neither of a unit and a fingerprint, and anyone but the operator', async () => {
    const at = deps.clock().toISOString();
    expect((await call(app, 'POST', '/v1/admin/invalid-traffic', { key: market.admin, body: { from: at, to: at, reason: 'x' } })).status).toBe(400);
    expect(
      (await call(app, 'POST', '/v1/admin/invalid-traffic', { key: market.publisher.key, body: { adUnitId: market.unitId, from: at, to: at, reason: 'x' } }))
        .status,
    ).toBe(403);
  });
});
