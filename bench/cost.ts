import { call } from '../test/support/http.js';
import { recordCapacity, type CallCost } from './capacity.js';
import { aViewer, seedServing } from './serving-world.js';
import { fundedAdvertiser, must, publisherWithInventory, startWorld, trackAsBrowser, type World } from './world.js';
import { progress } from './report.js';

export interface OperationCost {
  operation: string;
  samples: number;
  rcuPer: number;
  wcuPer: number;
  readsPer: number;
  /** What the writes are for, by item kind, per operation. */
  writes: string;
}

// Counted by command, not by capacity: DynamoDB Local reports no capacity for a batch that finds nothing.
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

const BRIEF = { title: 'Bench', copy: 'Benchmark order', landingUrl: 'https://shop.example.com' };

function summarise(operation: string, samples: number, calls: CallCost[]): OperationCost {
  const counts = new Map<string, number>();
  for (const w of calls.flatMap((c) => c.writes)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const reads = calls.filter((c) => READS.has(c.command)).length;
  return {
    operation,
    samples,
    rcuPer: calls.reduce((s, c) => s + c.rcu, 0) / samples,
    wcuPer: calls.reduce((s, c) => s + c.wcu, 0) / samples,
    readsPer: reads / samples,
    writes: [...counts].map(([w, n]) => `${w}${n / samples === 1 ? '' : ` ×${+(n / samples).toFixed(2)}`}`).join(', ') || '—',
  };
}

const path = (url: string): string => new URL(url).pathname;

async function decideWith(world: World, unit: string, viewer: number): Promise<{ impressionUrl: string; clickUrl: string } | null> {
  const res = await call(world.serve, 'POST', '/v1/decisions', { body: { adUnitId: unit, viewer: aViewer(viewer) } });
  return 'ad' in res.body ? res.body.ad : null;
}

/**
 * Consumed capacity per operation, measured with ReturnConsumedCapacity on a warm instance.
 * Decisions are amortised over a batch and include the instance's periodic work (counter flush,
 * change-feed look, budget refresh), which is spread over many decisions on a busy instance.
 */
export async function benchCost(options: { samples: number; flushWaitMs: number }): Promise<OperationCost[]> {
  const world = await startWorld();
  try {
    progress('seeding CPM and CPC campaigns');
    const cpm = await seedServing(world, {
      campaigns: 5,
      units: 2,
      budgetMicros: 100_000_000_000,
      bidMicros: 2_000_000,
      model: 'cpm',
      frequencyCap: { impressions: 1_000, perHours: 24 },
      ownUnitsOnly: true,
    });
    const cpc = await seedServing(world, {
      campaigns: 5,
      units: 2,
      budgetMicros: 100_000_000_000,
      bidMicros: 500_000,
      model: 'cpc',
      frequencyCap: { impressions: 1_000, perHours: 24 },
      ownUnitsOnly: true,
    });
    const capacity = recordCapacity(world.deps.db.client);
    const unit = cpm.units[0]!;
    for (let i = 0; i < 5; i++) await decideWith(world, unit, i);
    await new Promise((r) => setTimeout(r, options.flushWaitMs));
    capacity.take();

    const results: OperationCost[] = [];
    progress(`${options.samples} decisions`);
    const ads = [];
    for (let i = 0; i < options.samples; i++) ads.push(await decideWith(world, unit, 1_000 + i));
    await new Promise((r) => setTimeout(r, options.flushWaitMs));
    results.push(summarise('decision (amortised, incl. periodic refresh and counter flush)', options.samples, capacity.take()));

    progress('billed impressions');
    const served = ads.filter((a) => a !== null);
    for (const ad of served) await trackAsBrowser(world, path(ad.impressionUrl));
    results.push(summarise('impression (CPM, billed)', served.length, capacity.take()));

    progress('billed clicks');
    const cpcAds = [];
    for (let i = 0; i < options.samples; i++) cpcAds.push(await decideWith(world, cpc.units[0]!, 5_000 + i));
    const cpcServed = cpcAds.filter((a) => a !== null);
    for (const ad of cpcServed) await trackAsBrowser(world, path(ad.impressionUrl));
    capacity.take();
    for (const ad of cpcServed) await trackAsBrowser(world, path(ad.clickUrl));
    results.push(summarise('click (CPC, billed)', cpcServed.length, capacity.take()));

    progress('orders');
    const inventory = await publisherWithInventory(world, { slots: options.samples, units: 0, priceMicros: 1_000_000_000, floorCpmMicros: 1 });
    const advertiser = await fundedAdvertiser(world, 1_000_000_000 * options.samples);
    capacity.take();
    const orders = [];
    for (const slot of inventory.slots) orders.push(await must(world, 'POST', '/v1/orders', advertiser.key, { slotId: slot.id, brief: BRIEF }));
    results.push(summarise('order placement', orders.length, capacity.take()));
    for (const order of orders) {
      await must(world, 'POST', `/v1/orders/${order.id}/accept`, inventory.publisher.key, {});
      await must(world, 'POST', `/v1/orders/${order.id}/publish`, inventory.publisher.key, {
        postUrl: 'https://mp.example.com/s/1',
        publishedAt: new Date().toISOString(),
        reads: 20_000,
      });
    }
    capacity.take();
    for (const order of orders) await must(world, 'POST', `/v1/orders/${order.id}/confirm`, advertiser.key, {});
    results.push(summarise('order completion (confirm)', orders.length, capacity.take()));
    if (served.length === 0 || cpcServed.length === 0) throw new Error('no decision returned an ad: nothing to cost');
    return results;
  } finally {
    await world.close();
  }
}
