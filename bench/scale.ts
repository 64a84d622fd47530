import { ServeEngine } from '../functions/app/serving/serve-engine.js';
import { fingerprint, type RequestSource } from '../functions/core/serving/fingerprint.js';
import { trackingTokens } from '../functions/core/serving/tracking.js';
import { viewerHash } from '../functions/core/serving/viewer.js';
import { fixedClock } from '../functions/core/shared/clock.js';
import { BROWSER_UA } from '../test/support/http.js';
import { everything } from '../test/support/table.js';
import { recordCapacity, type CallCost } from './capacity.js';
import { progress } from './report.js';
import { seedServing } from './serving-world.js';
import { startWorld } from './world.js';

/**
 * Billing at scale (issue 11): a load of billed CPM impressions over several serve instances
 * (engines over one table), every write recorded by item key. What limits DynamoDB is the
 * hottest item: about 1 000 WCU/s per item, and a transactional write costs 2. So:
 * - WCU per billed event (all writes of the load: events, leases, postings, counters);
 * - transactional writes to the hottest single item per billed event;
 * - the implied ceiling in events/s: 1 000 WCU/s ÷ (WCU that item takes per event).
 *
 * The platform runs on a simulated clock that moves one second per `eventsPerSecond` events, and
 * each instance flushes (postings of ended intervals, counters) once per simulated second, as its
 * timer would: the figures are those of traffic at that rate, whatever rate DynamoDB Local reaches
 * on this machine. Viewers are all distinct, each from its own network (one source each); events
 * spread evenly over campaigns, units and instances.
 */

export interface ScaleLoad {
  events: number;
  /** Simulated traffic, events per second over all instances. */
  eventsPerSecond: number;
  instances: number;
  campaigns: number;
  publishers: number;
  unitsPerPublisher: number;
  /** Tracking calls in flight at once (real concurrency against DynamoDB Local). */
  concurrency: number;
}

export interface Scale {
  billed: number;
  errors: number;
  seconds: number;
  simulatedSeconds: number;
  wcuPerEvent: number;
  /** Of wcuPerEvent, what index entries took. */
  indexWcuPerEvent: number;
  writesPerEvent: number;
  /** The largest journal item of the load, in bytes as DynamoDB sizes it (a write costs 1 WCU per KB started). */
  journalItemBytes: number;
  /** Item writes per billed event by kind of item (`Update LEASE/POSTED`, …), most first. */
  byKind: [string, number][];
  hottestItem: string;
  hottestTxPerEvent: number;
  /** WCU per second the hottest item takes at the simulated rate. */
  hottestWcuPerSecond: number;
  ceilingEventsPerSecond: number;
}

const ITEM_WCU_PER_SECOND = 1_000;
const TX_WCU = 2;
const CHARGE_MICROS = 2_000;
const HOUR_MS = 3_600_000;

export async function benchScale(load: ScaleLoad): Promise<Scale> {
  const clock = fixedClock(new Date());
  // No timers: the simulation flushes every instance once per simulated second.
  const world = await startWorld({ clock, env: { COUNTER_FLUSH_MS: String(24 * HOUR_MS) } });
  try {
    progress(`seeding ${load.campaigns} CPM campaigns, ${load.publishers} publishers × ${load.unitsPerPublisher} units`);
    const seeded = await seedServing(world, {
      campaigns: load.campaigns,
      units: load.unitsPerPublisher,
      publishers: load.publishers,
      budgetMicros: 100_000_000_000,
      bidMicros: 2_000_000,
      model: 'cpm',
      everyone: true,
    });
    const secret = await world.deps.trackingSecret();
    const engines = Array.from({ length: load.instances }, () => new ServeEngine(world.deps));
    await Promise.all(engines.map((e) => e.refresh()));
    const token = (n: number): { token: string; source: RequestSource } => {
      // Each viewer on a network of its own (a source is a /24).
      const source = { address: `${10 + ((n >> 16) & 127)}.${(n >> 8) & 255}.${n & 255}.7`, userAgent: BROWSER_UA };
      const adUnitId = seeded.units[(n * 7_919) % seeded.units.length]!;
      const campaignId = seeded.campaigns[n % seeded.campaigns.length]!;
      const owner = seeded.unitOwners.get(adUnitId)!;
      const now = clock().getTime();
      const { impression } = trackingTokens(
        {
          decisionId: `dec_scale_${n}`,
          campaignId,
          adUnitId,
          chargeMicros: CHARGE_MICROS,
          chargeEvent: 'impression',
          decidedAt: now,
          fingerprint: fingerprint(source, secret, now),
          ref: { ...owner, advertiserId: seeded.advertiserOf.get(campaignId)!, viewerHash: viewerHash(`viewer-${n}`), landingUrl: 'https://shop.example.com' },
        },
        secret,
        now + HOUR_MS,
      );
      return { token: impression, source };
    };
    const capacity = recordCapacity(world.deps.db.client);
    progress(`${load.events} impressions at a simulated ${load.eventsPerSecond}/s over ${load.instances} instances`);
    const started = performance.now();
    let errors = 0;
    let simulatedSeconds = 0;
    for (let first = 0; first < load.events; first += load.eventsPerSecond) {
      const last = Math.min(load.events, first + load.eventsPerSecond);
      let next = first;
      await Promise.all(
        Array.from({ length: load.concurrency }, async () => {
          while (next < last) {
            const n = next++;
            const { token: t, source } = token(n);
            // DynamoDB Local sometimes answers a lock wait with a 500 under load: counted, not fatal.
            await engines[n % engines.length]!.track(t, 'i', source).catch(() => (errors += 1));
          }
        }),
      );
      clock.advance(1_000);
      simulatedSeconds += 1;
      await Promise.all(engines.map((e) => e.flush()));
      if (simulatedSeconds % 5 === 0) progress(`${last} events, ${simulatedSeconds} simulated seconds`);
    }
    await Promise.all(engines.map((e) => e.stop()));
    const seconds = (performance.now() - started) / 1000;
    const calls: CallCost[] = capacity.take();
    const journal = (await everything(world.deps)).get('decisionEvent') ?? [];
    const billed = journal.filter((e) => e.billed).length;
    if (billed === 0) throw new Error('nothing billed');
    const perItem = new Map<string, { tx: number; wcu: number }>();
    for (const item of calls.flatMap((c) => c.items)) {
      const entry = perItem.get(item.key) ?? { tx: 0, wcu: 0 };
      entry.tx += item.transactional ? 1 : 0;
      entry.wcu += item.transactional ? TX_WCU : 1;
      perItem.set(item.key, entry);
    }
    const kinds = new Map<string, number>();
    for (const w of calls.flatMap((c) => c.writes)) kinds.set(w, (kinds.get(w) ?? 0) + 1);
    const [hottestItem, hottest] = [...perItem].sort(([, a], [, b]) => b.wcu - a.wcu)[0]!;
    const wcu = calls.reduce((s, c) => s + c.wcu, 0);
    return {
      billed,
      errors,
      seconds,
      simulatedSeconds,
      wcuPerEvent: wcu / billed,
      indexWcuPerEvent: calls.reduce((sum, c) => sum + c.indexWcu, 0) / billed,
      journalItemBytes: Math.max(...journal.map(itemBytes)),
      writesPerEvent: calls.flatMap((c) => c.items).length / billed,
      byKind: [...kinds].sort(([, a], [, b]) => b - a).map(([k, n]) => [k, n / billed]),
      hottestItem,
      hottestTxPerEvent: hottest.tx / billed,
      hottestWcuPerSecond: hottest.wcu / simulatedSeconds,
      ceilingEventsPerSecond: ITEM_WCU_PER_SECOND / (hottest.wcu / billed),
    };
  } finally {
    await world.close();
  }
}

/** An item's size as DynamoDB counts it: attribute names and values in UTF-8, numbers about one byte per two digits plus one. */
function itemBytes(item: Record<string, unknown>): number {
  const value = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.-]|^0+/g, '').length / 2) + 1;
    if (typeof v === 'boolean' || v === null) return 1;
    return Buffer.byteLength(JSON.stringify(v));
  };
  return Object.entries(item).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + value(v), 0);
}
