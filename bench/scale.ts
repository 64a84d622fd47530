import { ServeEngine } from '../functions/app/serving/serve-engine.js';
import { BROWSER_UA, call } from '../test/support/http.js';
import { everything } from '../test/support/table.js';
import { recordCapacity, type CallCost } from './capacity.js';
import { progress } from './report.js';
import { aViewer, seedServing } from './serving-world.js';
import { startWorld } from './world.js';

/**
 * Billing at scale (issue 11): a load of billed CPM impressions over several serve instances
 * (engines over one table), every write recorded by item key. What limits DynamoDB is the
 * hottest item: about 1 000 WCU/s per item, and a transactional write costs 2. So:
 * - WCU per billed event (all writes of the load: events, leases, postings, counters);
 * - transactional writes to the hottest single item per billed event;
 * - the implied ceiling in events/s: 1 000 WCU/s ÷ (WCU that item takes per event).
 */

export interface Scale {
  billed: number;
  errors: number;
  seconds: number;
  wcuPerEvent: number;
  writesPerEvent: number;
  hottestItem: string;
  hottestTxPerEvent: number;
  ceilingEventsPerSecond: number;
}

const ITEM_WCU_PER_SECOND = 1_000;
/** The source the decisions came from (in-process requests: no address, a browser's user agent). */
const BROWSER = { address: undefined, userAgent: BROWSER_UA };
const TX_WCU = 2;

export async function benchScale(options: { events: number; instances: number; concurrency: number }): Promise<Scale> {
  const world = await startWorld();
  try {
    progress('seeding CPM campaigns');
    const seeded = await seedServing(world, { campaigns: 5, units: 2, budgetMicros: 100_000_000_000, bidMicros: 2_000_000, model: 'cpm', ownUnitsOnly: true });
    progress(`${options.events} decisions`);
    const urls: string[] = [];
    for (let i = 0; urls.length < options.events && i < options.events * 3; i++) {
      const res = await call(world.serve, 'POST', '/v1/decisions', { body: { adUnitId: seeded.units[i % seeded.units.length], viewer: aViewer(100_000 + i) } });
      if (res.body?.ad) urls.push(new URL(res.body.ad.impressionUrl).pathname.split('/').at(-1)!);
    }
    const engines = Array.from({ length: options.instances }, () => new ServeEngine(world.deps));
    const capacity = recordCapacity(world.deps.db.client);
    progress(`${urls.length} impressions over ${options.instances} instances`);
    const started = performance.now();
    let next = 0;
    let errors = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < urls.length) {
          const i = next++;
          // DynamoDB Local sometimes answers a lock wait with a 500 under load: counted, not fatal.
          await engines[i % engines.length]!.track(urls[i]!, 'i', BROWSER).catch(() => (errors += 1));
        }
      }),
    );
    await Promise.all(engines.map((e) => e.stop()));
    const seconds = (performance.now() - started) / 1000;
    const calls: CallCost[] = capacity.take();
    const billed = ((await everything(world.deps)).get('decisionEvent') ?? []).filter((e) => e.billed).length;
    if (billed === 0) throw new Error('nothing billed');
    const perItem = new Map<string, { tx: number; wcu: number }>();
    for (const item of calls.flatMap((c) => c.items)) {
      const entry = perItem.get(item.key) ?? { tx: 0, wcu: 0 };
      entry.tx += item.transactional ? 1 : 0;
      entry.wcu += item.transactional ? TX_WCU : 1;
      perItem.set(item.key, entry);
    }
    const [hottestItem, hottest] = [...perItem].sort(([, a], [, b]) => b.wcu - a.wcu)[0]!;
    const wcu = calls.reduce((s, c) => s + c.wcu, 0);
    return {
      billed,
      errors,
      seconds,
      wcuPerEvent: wcu / billed,
      writesPerEvent: calls.flatMap((c) => c.items).length / billed,
      hottestItem,
      hottestTxPerEvent: hottest.tx / billed,
      ceilingEventsPerSecond: ITEM_WCU_PER_SECOND / (hottest.wcu / billed),
    };
  } finally {
    await world.close();
  }
}
