import type { Posting } from '../functions/core/ledger/ledger.js';
import { serveEngine } from '../functions/app/serving/serve-engine.js';
import { call } from '../test/support/http.js';
import { ledgerState, total } from '../test/support/money.js';
import { everything } from '../test/support/table.js';
import { aViewer, seedServing } from './serving-world.js';
import { fundedAdvertiser, must, publisherWithInventory, startWorld, trackAsBrowser } from './world.js';
import { progress } from './report.js';

export interface Exactness {
  events: number;
  seconds: number;
  decisions: number;
  billedEvents: number;
  invalidSent: number;
  invalidCounted: number;
  orderOps: number;
  errors: number;
  overspendMicros: number;
  /** Campaigns whose postings differ from what their journal billed (an event posted twice, or never). */
  doubleBills: number;
  ledgerSumMicros: number;
  replayMismatches: number;
}

interface Served {
  impressionUrl: string;
  clickUrl: string;
  /** 'pending' while its impression is in flight: a click then could race it, so none is sent. */
  impression: 'no' | 'pending' | 'yes';
  /** Likewise for clicks: duplicates are sent after the original answered, not alongside it. */
  click: 'no' | 'pending' | 'yes';
}

const path = (url: string): string => new URL(url).pathname;
const forge = (url: string): string => {
  const p = path(url);
  const i = p.length - 5;
  return p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
};

/**
 * A bounded run of mixed traffic: decisions, impressions and clicks (some replayed, some forged,
 * some clicks without impressions) against small budgets that run out, and direct orders taken
 * through their whole life. Afterwards the books are checked from the table itself.
 */
export async function benchExactness(options: { seconds: number; concurrency: number }): Promise<Exactness> {
  const world = await startWorld();
  try {
    progress('seeding campaigns with small budgets and an order book');
    const cpm = await seedServing(world, {
      campaigns: 10,
      units: 3,
      budgetMicros: 300_000,
      bidMicros: 3_000_000,
      model: 'cpm',
      frequencyCap: { impressions: 5, perHours: 24 },
      ownUnitsOnly: true,
    });
    const cpc = await seedServing(world, {
      campaigns: 10,
      units: 3,
      budgetMicros: 3_000_000,
      bidMicros: 400_000,
      model: 'cpc',
      frequencyCap: { impressions: 5, perHours: 24 },
      ownUnitsOnly: true,
    });
    const units = [...cpm.units, ...cpc.units];
    const inventory = await publisherWithInventory(world, { slots: 300, units: 0, priceMicros: 50_000_000, floorCpmMicros: 1 });
    const buyer = await fundedAdvertiser(world, 200 * 50_000_000);
    const openSlots = inventory.slots.map((s) => s.id);
    const orders: { id: string; step: number; busy: boolean }[] = [];

    const served: Served[] = [];
    const tally = { events: 0, decisions: 0, invalidSent: 0, orderOps: 0, errors: 0 };
    // A tracking request that fails (5xx) is an error to report, not a billing outcome.
    const track = async (url: string): Promise<void> => {
      const res = await trackAsBrowser(world, url);
      if (res.status >= 500) tally.errors += 1;
    };
    let viewer = 0;
    const act = async (): Promise<void> => {
      const roll = Math.random();
      tally.events += 1;
      if (roll < 0.4 || served.length === 0) {
        tally.decisions += 1;
        const res = await call(world.serve, 'POST', '/v1/decisions', { body: { adUnitId: units[viewer % units.length]!, viewer: aViewer(viewer++ % 3_000) } });
        if ('ad' in res.body && res.body.ad) served.push({ ...res.body.ad, impression: 'no', click: 'no' });
        return;
      }
      const ad = served[Math.floor(Math.random() * served.length)]!;
      if (ad.impression === 'pending' || ad.click === 'pending') return;
      if (roll < 0.7) {
        if (ad.impression === 'yes') {
          tally.invalidSent += 1; // a replayed impression
          await track(path(ad.impressionUrl));
          return;
        }
        ad.impression = 'pending';
        await track(path(ad.impressionUrl));
        ad.impression = 'yes';
      } else if (roll < 0.85) {
        // A click without its impression, or a second click, is invalid; a first click after the impression counts.
        if (ad.impression === 'no' || ad.click === 'yes') {
          tally.invalidSent += 1;
          // Pending while in flight, so that no impression of this ad is sent alongside it and
          // makes this click a valid one after all.
          const before = ad.click;
          ad.click = 'pending';
          await track(path(ad.clickUrl));
          ad.click = before;
          return;
        }
        ad.click = 'pending';
        await track(path(ad.clickUrl));
        ad.click = 'yes';
      } else if (roll < 0.9) {
        tally.invalidSent += 1;
        await track(forge(Math.random() < 0.5 ? ad.impressionUrl : ad.clickUrl));
      } else {
        tally.orderOps += 1;
        await orderStep();
      }
    };
    // Orders walk requested → accepted/scheduled → published → completed, one step per op.
    const orderStep = async (): Promise<void> => {
      const order = orders.find((o) => o.step < 3 && !o.busy);
      if (!order || (openSlots.length > 0 && Math.random() < 0.3)) {
        const slotId = openSlots.pop();
        if (!slotId) return;
        const placed = await call(world.api, 'POST', '/v1/orders', {
          key: buyer.key,
          body: { slotId, brief: { title: 'Bench', copy: 'x', landingUrl: 'https://shop.example.com' } },
        });
        if (placed.status === 201) orders.push({ id: placed.body.id, step: 0, busy: false });
        return;
      }
      // One step of an order at a time: the next waits until this one has answered.
      order.busy = true;
      order.step += 1;
      if (order.step === 1) await must(world, 'POST', `/v1/orders/${order.id}/accept`, inventory.publisher.key, {});
      if (order.step === 2)
        await must(world, 'POST', `/v1/orders/${order.id}/publish`, inventory.publisher.key, {
          postUrl: 'https://mp.example.com/s/1',
          publishedAt: new Date().toISOString(),
          reads: 10_000 + Math.floor(Math.random() * 10_000),
        });
      if (order.step === 3) await must(world, 'POST', `/v1/orders/${order.id}/confirm`, buyer.key, {});
      order.busy = false;
    };

    progress(`mixed traffic for ${options.seconds} s with ${options.concurrency} in flight`);
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < deadline) await act();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // The instance posts what it billed, writes its counters and returns its leases.
    await serveEngine(world.deps).stop();

    progress('checking the books');
    // Offline verification: a Scan reads every item once after the run.
    const items = await everything(world.deps);
    const of = (entity: string) => items.get(entity) ?? [];
    const { stored, replayed } = await ledgerState(world.deps);
    const replayMismatches = [...stored].filter(([account, micros]) => (replayed.get(account) ?? 0) !== micros).length;
    // The journal says what was billed (one item per event: no event is billed twice); the
    // aggregated postings must have moved exactly that out of the advertisers' held funds.
    const spentByCampaign = new Map<string, number>();
    const billed = of('decisionEvent').filter((e) => e.billed);
    for (const e of billed) spentByCampaign.set(e.campaignId, (spentByCampaign.get(e.campaignId) ?? 0) + Number(e.chargeMicros));
    const postedByCampaign = new Map<string, number>();
    for (const line of of('ledgerLine').filter((l) => l.events !== undefined && String(l.pk).startsWith('LEDGER#tnt_'))) {
      const held = (line.postings as Posting[]).find((p) => p.account.endsWith(':held'));
      if (held) postedByCampaign.set(line.cause.id, (postedByCampaign.get(line.cause.id) ?? 0) - held.amountMicros);
    }
    const mismatched = new Set(
      [...spentByCampaign.keys(), ...postedByCampaign.keys()].filter((c) => (spentByCampaign.get(c) ?? 0) !== (postedByCampaign.get(c) ?? 0)),
    );
    const campaigns = new Map(of('campaign').map((c) => [c.pk, c]));
    let overspendMicros = 0;
    for (const budget of of('campaignBudget')) {
      const campaignId = String(budget.pk).slice('CAMPAIGN#'.length);
      const campaign = campaigns.get(budget.pk);
      const budgetMicros = Number(campaign?.budget?.totalMicros ?? 0);
      overspendMicros += Math.max(0, (spentByCampaign.get(campaignId) ?? 0) - budgetMicros) + Math.max(0, -Number(budget.remainingMicros));
    }
    const invalidCounted = of('reportCounter')
      .filter((i) => (i.sk === 'TOTAL' ? String(i.pk).startsWith('REPORT#campaign#') : String(i.pk).startsWith('REPORT#platform#')))
      .reduce((s, i) => s + Number(i.invalid ?? 0), 0);
    const result: Exactness = {
      events: tally.events,
      seconds,
      decisions: tally.decisions,
      billedEvents: billed.length,
      invalidSent: tally.invalidSent,
      invalidCounted,
      orderOps: tally.orderOps,
      errors: tally.errors,
      overspendMicros,
      doubleBills: mismatched.size,
      ledgerSumMicros: total(stored),
      replayMismatches,
    };
    return result;
  } finally {
    await world.close();
  }
}
