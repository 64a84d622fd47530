import { seededRandom } from '../functions/core/shared/random.js';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { buildIndex } from '../functions/core/serving/be-index.js';
import type { IndexEntry, TargetingIndex } from '../functions/core/serving/be-index.js';
import { decide, requestContext } from '../functions/core/serving/decide.js';
import type { AdUnitContext, CampaignRuntime } from '../functions/core/serving/decide.js';
import { Ranking } from '../functions/core/serving/ranking.js';
import { decideOptions } from '../functions/app/serving/serve-engine.js';
import { config } from '../functions/config.js';
import { evaluate } from '../functions/core/serving/targeting.js';
import type { Attribute, Conjunction, Predicate, Targeting, TargetingContext } from '../functions/core/serving/targeting.js';

/**
 * In-process benchmark of the serving engine: the boolean-expression index against a
 * brute-force scan over the same campaigns, plus the full decision pipeline.
 *
 * Campaigns and viewers are generated from a seeded RNG with Zipf-like value popularity
 * (a few regions, interests and accounts are far more common than the rest, in targeting as in
 * traffic), so runs are repeatable and posting lists have the skew real ones have. The scan
 * runs on fewer requests than the index (it is slow) and both answers are compared on those.
 */

export interface LatencyStats {
  decisions: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Samples during which the process was switched out involuntarily (another process took the core). */
  preempted: number;
  /** p99 over the samples that were not: what the code takes, GC pauses included, on a busy machine. */
  p99UnpreemptedMs: number;
}

export interface EngineResult {
  campaigns: number;
  conjunctions: number;
  postings: number;
  buildMs: number;
  /** Ranking the campaigns in auction order (on every index rebuild and budget refresh). */
  rankMs: number;
  /** Heap plus ArrayBuffer growth per campaign when built with --expose-gc, else the index's own estimate. */
  bytesPerCampaign: number;
  memorySource: 'heap' | 'estimate';
  /** The index's own count of its arrays per campaign (memoryBytes): steadier than the heap delta. */
  indexBytesPerCampaign: number;
  /** Mean number of campaigns whose targeting matched a request. */
  avgMatches: number;
  index: LatencyStats;
  scan: LatencyStats;
  decide: LatencyStats;
  /** GC pauses (young and full) during the decide loop. */
  decideGc: GcPauses;
  /** Candidates a decision dropped in its walk (filters, floor, budget), mean and largest. */
  decideDropped: { mean: number; max: number };
  /** The same decisions once the best-ranked half of all campaigns has spent its budget (as at the end of a day: the best bidders win the most). */
  decideSpent: LatencyStats;
  /** Index throughput ÷ scan throughput. */
  speedup: number;
}

export interface GcPauses {
  count: number;
  maxMs: number;
  totalMs: number;
}

export interface EngineBenchOptions {
  sizes: number[];
  decisions: number;
  log: (line: string) => void;
  /** Requests for the scan baseline (default min(decisions, 200)): at 100k campaigns each takes milliseconds. */
  scanDecisions?: number;
  seed?: number;
}

export const ENGINE_BENCH_DEFAULTS = {
  seed: 20250310,
  maxScanDecisions: 200,
  warmup: 200,
  /** Zipf exponent of value popularity. */
  zipfExponent: 1,
  accounts: 5_000,
  adUnits: 20_000,
  /** Share of campaigns with no targeting at all (match every request). */
  untargetedShare: 0.001,
  notInShare: 0.1,
};

const REGIONS = [
  'CN-BJ',
  'CN-SH',
  'CN-GD',
  'CN-ZJ',
  'CN-JS',
  'CN-SC',
  'CN-HB',
  'CN-HN',
  'CN-SD',
  'CN-FJ',
  'CN-HA',
  'CN-HE',
  'CN-AH',
  'CN-LN',
  'CN-SN',
  'CN-CQ',
  'CN-TJ',
  'CN-JX',
  'CN-GX',
  'CN-YN',
  'CN-SX',
  'CN-GZ',
  'CN-JL',
  'CN-HL',
  'CN-NM',
  'CN-XJ',
  'CN-GS',
  'CN-HI',
  'CN-NX',
  'CN-QH',
];
const GENDERS = ['female', 'male'];
const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'];
const INTERESTS = [
  'tech',
  'games',
  'food',
  'travel',
  'fashion',
  'beauty',
  'finance',
  'sports',
  'music',
  'movies',
  'books',
  'education',
  'parenting',
  'health',
  'fitness',
  'cars',
  'real-estate',
  'home',
  'pets',
  'photography',
  'art',
  'design',
  'science',
  'history',
  'politics',
  'business',
  'startups',
  'crypto',
  'outdoors',
  'cooking',
  'wine',
  'coffee',
  'tea',
  'anime',
  'comics',
  'esports',
  'diy',
  'gardening',
  'luxury',
  'jobs',
];
const DEVICES = ['mobile', 'desktop', 'tablet'];
const OSES = ['android', 'ios', 'windows', 'macos'];
const CATEGORIES = [
  'news',
  'tech',
  'finance',
  'lifestyle',
  'food',
  'travel',
  'auto',
  'education',
  'health',
  'entertainment',
  'sports',
  'gaming',
  'parenting',
  'fashion',
  'local',
];

type Rng = () => number;

/** Draws values with probability ∝ 1 / rank^s: the first values are the popular ones. */
class Zipf {
  private readonly cdf: Float64Array;
  constructor(
    readonly values: readonly string[],
    s: number,
  ) {
    this.cdf = new Float64Array(values.length);
    let sum = 0;
    for (let i = 0; i < values.length; i++) this.cdf[i] = sum += 1 / (i + 1) ** s;
    for (let i = 0; i < values.length; i++) this.cdf[i] = (this.cdf[i] as number) / sum;
  }
  draw(rng: Rng): string {
    const u = rng();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return this.values[lo] as string;
  }
  drawSome(rng: Rng, n: number): string[] {
    const out = new Set<string>();
    for (let tries = 0; out.size < n && tries < n * 4; tries++) out.add(this.draw(rng));
    return [...out];
  }
}

interface World {
  zipf: Record<Attribute, Zipf>;
  units: AdUnitContext[];
}

/** How often each attribute is targeted, and how many values a predicate on it lists. */
const ATTRIBUTE_PROFILE: ReadonlyArray<{ attribute: Attribute; weight: number; minValues: number; maxValues: number }> = [
  { attribute: 'region', weight: 20, minValues: 1, maxValues: 3 },
  { attribute: 'gender', weight: 6, minValues: 1, maxValues: 1 },
  { attribute: 'ageBand', weight: 14, minValues: 1, maxValues: 2 },
  { attribute: 'interest', weight: 24, minValues: 1, maxValues: 3 },
  { attribute: 'device', weight: 5, minValues: 1, maxValues: 1 },
  { attribute: 'os', weight: 5, minValues: 1, maxValues: 1 },
  { attribute: 'accountCategory', weight: 16, minValues: 1, maxValues: 2 },
  { attribute: 'accountId', weight: 5, minValues: 1, maxValues: 3 },
  { attribute: 'adUnitId', weight: 5, minValues: 1, maxValues: 2 },
];
const PROFILE_WEIGHT = ATTRIBUTE_PROFILE.reduce((n, a) => n + a.weight, 0);

function makeWorld(s: number): World {
  const accounts = Array.from({ length: ENGINE_BENCH_DEFAULTS.accounts }, (_, i) => `acct_${String(i).padStart(6, '0')}`);
  const unitIds = Array.from({ length: ENGINE_BENCH_DEFAULTS.adUnits }, (_, i) => `unit_${String(i).padStart(6, '0')}`);
  const zipf: Record<Attribute, Zipf> = {
    region: new Zipf(REGIONS, s),
    gender: new Zipf(GENDERS, s),
    ageBand: new Zipf(AGE_BANDS, s),
    interest: new Zipf(INTERESTS, s),
    device: new Zipf(DEVICES, s),
    os: new Zipf(OSES, s),
    accountCategory: new Zipf(CATEGORIES, s),
    accountId: new Zipf(accounts, s),
    adUnitId: new Zipf(unitIds, s),
  };
  // A unit belongs to an account; its account's category is fixed by the account's rank.
  const units = unitIds.map((id, i) => ({
    id,
    accountId: accounts[i % accounts.length] as string,
    accountCategory: CATEGORIES[i % CATEGORIES.length] as string,
    floorCpmMicros: 500_000 + (i % 5) * 250_000,
    blockedCategories: i % 10 === 0 ? ['gambling'] : [],
  }));
  return { zipf, units };
}

const between = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

function makeConjunction(rng: Rng, world: World): Conjunction {
  const size = between(rng, 3, 6);
  const used = new Set<Attribute>();
  const predicates: Predicate[] = [];
  while (predicates.length < size) {
    let r = rng() * PROFILE_WEIGHT;
    const profile =
      ATTRIBUTE_PROFILE.find((a) => {
        r -= a.weight;
        return r < 0;
      }) ?? (ATTRIBUTE_PROFILE[0] as (typeof ATTRIBUTE_PROFILE)[number]);
    if (used.has(profile.attribute)) continue;
    used.add(profile.attribute);
    const op = rng() < ENGINE_BENCH_DEFAULTS.notInShare ? 'not_in' : 'in';
    predicates.push({
      attribute: profile.attribute,
      op,
      values: world.zipf[profile.attribute].drawSome(rng, between(rng, profile.minValues, profile.maxValues)),
    });
  }
  return predicates;
}

function makeTargeting(rng: Rng, world: World): Targeting {
  if (rng() < ENGINE_BENCH_DEFAULTS.untargetedShare) return [];
  // Mostly one or two conjunctions, sometimes up to four.
  const n = rng() < 0.5 ? 1 : rng() < 0.6 ? 2 : between(rng, 3, 4);
  return Array.from({ length: n }, () => makeConjunction(rng, world));
}

function makeRuntime(rng: Rng, id: string, nowMs: number): CampaignRuntime<string> {
  const cpc = rng() < 0.3;
  return {
    id,
    model: cpc ? 'cpc' : 'cpm',
    bidMicros: cpc ? between(rng, 100_000, 2_000_000) : between(rng, 500_000, 40_000_000),
    category: CATEGORIES[between(rng, 0, CATEGORIES.length - 1)] as string,
    schedule: {
      start: new Date(nowMs - 86_400_000).toISOString(),
      timezone: rng() < 0.9 ? 'Asia/Shanghai' : 'Asia/Tokyo',
      dayparts: rng() < 0.1 ? [{ days: [1, 2, 3, 4, 5], startHour: 8, endHour: 22 }] : null,
    },
    dailyBudgetMicros: rng() < 0.8 ? between(rng, 50, 5_000) * 1_000_000 : null,
    spentTodayMicros: between(rng, 0, 100) * 100_000,
    remainingMicros: between(rng, 0, 10_000) * 1_000_000,
    ctrStats: { impressions: between(rng, 0, 100_000), clicks: between(rng, 0, 2_000) },
    frequencyCap: rng() < 0.3 ? { impressions: 3, perHours: 24 } : null,
    creative: `crv_${id}`,
  };
}

function makeRequest(rng: Rng, world: World): { viewer: TargetingContext; unit: AdUnitContext } {
  const z = world.zipf;
  const viewer: TargetingContext = { region: [z.region.draw(rng)], device: [z.device.draw(rng)], os: [z.os.draw(rng)] };
  if (rng() < 0.9) viewer.gender = [z.gender.draw(rng)];
  if (rng() < 0.8) viewer.ageBand = [z.ageBand.draw(rng)];
  if (rng() < 0.9) viewer.interest = z.interest.drawSome(rng, between(rng, 1, 4));
  const unitIndex = Number(z.adUnitId.draw(rng).slice('unit_'.length));
  return { viewer, unit: world.units[unitIndex] as AdUnitContext };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * Times each sample, and counts those during which the OS switched the process out (getrusage's
 * involuntary context switches, read outside the timed span): on a shared machine they, not the
 * code, make most of the p99.
 */
function time(n: number, run: (i: number) => void): LatencyStats {
  const samples = new Float64Array(n);
  const unpreempted: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const switches = process.resourceUsage().involuntaryContextSwitches;
    const t0 = performance.now();
    run(i);
    samples[i] = performance.now() - t0;
    if (process.resourceUsage().involuntaryContextSwitches === switches) unpreempted.push(samples[i] as number);
  }
  const totalMs = performance.now() - start;
  const sorted = Float64Array.from(samples).sort();
  return {
    decisions: n,
    perSecond: n / (totalMs / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    preempted: n - unpreempted.length,
    p99UnpreemptedMs: percentile(Float64Array.from(unpreempted).sort(), 0.99),
  };
}

/** The GC pauses (a PerformanceObserver on 'gc') while `run` runs. */
async function gcPauses<T>(run: () => T): Promise<{ result: T; pauses: GcPauses }> {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  const result = run();
  // GC entries are delivered on a later turn of the event loop.
  await new Promise<void>((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { result, pauses: { count: pauses.length, maxMs: Math.max(0, ...pauses), totalMs: pauses.reduce((x, y) => x + y, 0) } };
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc?.();
  // Typed arrays live outside the JS heap: count their buffers too.
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const NOW_MS = Date.parse('2025-03-10T04:00:00Z');

export interface EngineWorkload {
  entries: IndexEntry[];
  campaigns: Map<string, CampaignRuntime<string>>;
  requests: { viewer: TargetingContext; unit: AdUnitContext }[];
  /** The targeting context of each request (viewer plus ad unit), as decide builds it. */
  contexts: TargetingContext[];
  frequencyCounts: Map<string, number>;
}

/** The seeded campaigns and requests of one benchmark size, for the benchmark and for profiling. */
export function engineWorkload(size: number, decisions: number, seed: number = ENGINE_BENCH_DEFAULTS.seed): EngineWorkload {
  const world = makeWorld(ENGINE_BENCH_DEFAULTS.zipfExponent);
  const rng = seededRandom(seed + size);
  const entries: IndexEntry[] = [];
  const campaigns = new Map<string, CampaignRuntime<string>>();
  for (let i = 0; i < size; i++) {
    const id = `cmp_${String(i).padStart(7, '0')}`;
    entries.push({ id, targeting: makeTargeting(rng, world) });
    campaigns.set(id, makeRuntime(rng, id, NOW_MS));
  }
  const requests = Array.from({ length: decisions }, () => makeRequest(rng, world));
  const contexts = requests.map((r) => requestContext(r.viewer, r.unit));
  const frequencyCounts = new Map<string, number>();
  for (const id of campaigns.keys()) if (rng() < 0.05) frequencyCounts.set(id, 3);
  return { entries, campaigns, requests, contexts, frequencyCounts };
}

const fmt = (x: number, digits = 3): string => x.toFixed(digits);

export async function benchEngine(opts: EngineBenchOptions): Promise<EngineResult[]> {
  const seed = opts.seed ?? ENGINE_BENCH_DEFAULTS.seed;
  const results: EngineResult[] = [];

  for (const size of opts.sizes) {
    const { entries, campaigns, requests, contexts, frequencyCounts } = engineWorkload(size, opts.decisions, seed);

    // Build twice: the first run pays for JIT warm-up, the second is what a rebuild costs.
    buildIndex(entries);
    const before = heapAfterGc();
    const t0 = performance.now();
    const index: TargetingIndex = buildIndex(entries);
    const buildMs = performance.now() - t0;
    const heapBytes = heapAfterGc() - before;
    const memorySource = gc !== undefined ? 'heap' : 'estimate';
    const bytesPerCampaign = (memorySource === 'heap' ? heapBytes : index.memoryBytes()) / Math.max(1, size);

    for (let i = 0; i < Math.min(ENGINE_BENCH_DEFAULTS.warmup, contexts.length); i++) index.match(contexts[i] as TargetingContext);
    let matches = 0;
    // What a decision calls: campaign ordinals, no strings.
    const indexStats = time(contexts.length, (i) => {
      matches += index.matchOrdinals(contexts[i] as TargetingContext).length;
    });

    const scanN = Math.min(contexts.length, opts.scanDecisions ?? ENGINE_BENCH_DEFAULTS.maxScanDecisions);
    const scanned: string[][] = [];
    const scanStats = time(scanN, (i) => {
      const ctx = contexts[i] as TargetingContext;
      const out: string[] = [];
      for (const e of entries) if (evaluate(e.targeting, ctx)) out.push(e.id);
      scanned.push(out);
    });
    for (let i = 0; i < scanN; i++) {
      const got = index.match(contexts[i] as TargetingContext).sort();
      const want = (scanned[i] as string[]).sort();
      if (got.length !== want.length || got.some((id, j) => id !== want[j])) {
        throw new Error(`index and scan disagree at ${size} campaigns on request ${i}: ${got.length} vs ${want.length}`);
      }
    }

    const options = decideOptions(config());
    new Ranking(index, campaigns, options);
    const r0 = performance.now();
    const ranking = new Ranking(index, campaigns, options);
    const rankMs = performance.now() - r0;
    const decideAt = (i: number) => {
      const r = requests[i] as (typeof requests)[number];
      return decide({ ranking, adUnit: r.unit, viewer: r.viewer, frequencyCounts, now: NOW_MS + i * 10 }, options);
    };
    for (let i = 0; i < Math.min(ENGINE_BENCH_DEFAULTS.warmup, requests.length); i++) decideAt(i);
    let served = 0;
    let dropped = 0;
    let maxDropped = 0;
    const { result: decideStats, pauses } = await gcPauses(() =>
      time(requests.length, (i) => {
        const d = decideAt(i);
        if (d.ad !== null) served++;
        let k = 0;
        for (const reason in d.dropped) k += d.dropped[reason as keyof typeof d.dropped] ?? 0;
        dropped += k;
        if (k > maxDropped) maxDropped = k;
      }),
    );

    for (let r = 0; r < ranking.byRank.length / 2; r++) {
      const c = ranking.byRank[r] as CampaignRuntime<string>;
      Ranking.setBudget(c, { remainingMicros: 0, spentTodayMicros: c.spentTodayMicros }, ranking);
    }
    const decideSpent = time(requests.length, decideAt);

    const result: EngineResult = {
      campaigns: size,
      conjunctions: index.stats.conjunctions,
      postings: index.stats.postings,
      buildMs,
      rankMs,
      bytesPerCampaign,
      memorySource,
      indexBytesPerCampaign: index.memoryBytes() / Math.max(1, size),
      avgMatches: matches / Math.max(1, contexts.length),
      index: indexStats,
      scan: scanStats,
      decide: decideStats,
      decideGc: pauses,
      decideDropped: { mean: dropped / Math.max(1, requests.length), max: maxDropped },
      decideSpent,
      speedup: indexStats.perSecond / scanStats.perSecond,
    };
    results.push(result);
    opts.log(
      `engine ${size} campaigns: ${result.conjunctions} conjunctions, ${result.postings} postings, build ${fmt(buildMs, 0)} ms, rank ${fmt(rankMs, 0)} ms, ` +
        `${fmt(bytesPerCampaign, 0)} B/campaign (${memorySource}; index arrays ${fmt(result.indexBytesPerCampaign, 0)} B), ${fmt(result.avgMatches, 1)} matches/request`,
    );
    opts.log(`  index  match: ${fmt(indexStats.perSecond, 0)}/s p50 ${fmt(indexStats.p50Ms)} ms p99 ${fmt(indexStats.p99Ms)} ms`);
    opts.log(
      `  scan   match: ${fmt(scanStats.perSecond, 0)}/s p50 ${fmt(scanStats.p50Ms)} ms p99 ${fmt(scanStats.p99Ms)} ms (${scanN} requests, answers identical)`,
    );
    opts.log(
      `  decide (index): ${fmt(decideStats.perSecond, 0)}/s p50 ${fmt(decideStats.p50Ms)} ms p99 ${fmt(decideStats.p99Ms)} ms, ${served}/${requests.length} served`,
    );
    opts.log(
      `  decide: ${pauses.count} GC pauses (max ${fmt(pauses.maxMs, 2)} ms, total ${fmt(pauses.totalMs, 1)} ms); candidates dropped a decision: mean ${fmt(result.decideDropped.mean, 2)}, max ${result.decideDropped.max}`,
    );
    opts.log(
      `  not preempted by the OS: index p99 ${fmt(indexStats.p99UnpreemptedMs)} ms (${indexStats.preempted} of ${indexStats.decisions} preempted), ` +
        `decide p99 ${fmt(decideStats.p99UnpreemptedMs)} ms (${decideStats.preempted} preempted)`,
    );
    opts.log(
      `  decide, best-ranked half out of budget: p50 ${fmt(decideSpent.p50Ms)} ms p99 ${fmt(decideSpent.p99Ms)} ms, not preempted p99 ${fmt(decideSpent.p99UnpreemptedMs)} ms`,
    );
    opts.log(`  index vs scan: ${fmt(result.speedup, 0)}× throughput`);
    // Let a caller's event loop breathe between sizes.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return results;
}
