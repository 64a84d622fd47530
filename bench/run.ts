/**
 * npm run bench [-- --quick]
 * Measures the decision engine, the HTTP path, DynamoDB cost, bundle size and cold start, and
 * exactness under load, printing a table per step as it goes and writing bench/results.json.
 * --quick is a small run for CI: it proves the harness works and fails when a step measured
 * nothing. Figures are compared as ratios within one run; this machine is noisy.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { benchEngine } from './engine.js';
import { synthBundles } from './bundles.js';
import { coldStart } from './cold-start.js';
import { benchConsole } from './console.js';
import { benchCost } from './cost.js';
import { benchExactness } from './exactness.js';
import { benchHttp } from './http.js';
import { benchScale } from './scale.js';
import { benchPlans, benchRuleRefusal } from './bounds.js';
import { config } from '../functions/config.js';
import { seedServing } from './serving-world.js';
import { benchTags, median } from './tags.js';
import { benchTraffic, falseRefusals } from './traffic.js';
import { startWorld } from './world.js';
import { percentile, printTable, progress, type StepResult } from './report.js';

const quick = process.argv.includes('--quick');
/** `--only=http,cost` runs just those steps (by result name: engine, http, cost, bundles, exactness, tags, console, bounds, scale, traffic). */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

type Step = { name: string; key: string; run: () => Promise<StepResult> };

const steps: Step[] = [
  {
    name: 'Decision engine, in process',
    key: 'engine',
    run: async () => {
      const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
      const results = await benchEngine({ sizes, decisions: quick ? 500 : 5_000, log: progress });
      const rows = results.map((r) => ({
        campaigns: r.campaigns,
        'matches/req': r.avgMatches,
        'index p50 ms': r.index.p50Ms,
        'index p99 ms': r.index.p99Ms,
        'index /s': Math.round(r.index.perSecond),
        'scan p99 ms': r.scan.p99Ms,
        'scan /s': Math.round(r.scan.perSecond),
        'index÷scan': r.speedup,
        'decide p50 ms': r.decide.p50Ms,
        'decide p99 ms': r.decide.p99Ms,
        'decide p99 not preempted': r.decide.p99UnpreemptedMs,
        'decide GC pauses': r.decideGc.count,
        'decide p99, half spent': r.decideSpent.p99Ms,
        'bytes/campaign': Math.round(r.bytesPerCampaign),
        'rebuild ms': r.buildMs,
        'rank ms': r.rankMs,
      }));
      const largest = results.at(-1);
      return {
        step: 'engine',
        rows,
        checks: largest
          ? [
              {
                target: `index p99 < 0.2 ms at ${largest.campaigns.toLocaleString('en-US')}`,
                value: `${largest.index.p99Ms.toFixed(3)} ms`,
                met: largest.index.p99Ms < 0.2,
              },
              {
                target: `full decide p99 ≤ 1 ms at ${largest.campaigns.toLocaleString('en-US')}`,
                value: `${largest.decide.p99Ms.toFixed(3)} ms (index p99 ${largest.index.p99Ms.toFixed(3)} ms in the same run; load average ${loadavg()[0]?.toFixed(1)})`,
                met: largest.decide.p99Ms <= 1,
              },
              {
                // On a shared machine a sample the OS switches out waits a time slice (~4 ms): the raw p99 is the scheduler's once over 1 % are.
                target: `full decide p99 ≤ 1 ms at ${largest.campaigns.toLocaleString('en-US')}, decisions the OS did not preempt`,
                value: `${largest.decide.p99UnpreemptedMs.toFixed(3)} ms (${largest.decide.preempted} of ${largest.decide.decisions} preempted; ${largest.decideGc.count} GC pauses in the loop)`,
                met: largest.decide.p99UnpreemptedMs <= 1,
              },
              {
                target: `full decide p99 ≤ 1 ms at ${largest.campaigns.toLocaleString('en-US')} with the best-ranked half out of budget, not preempted`,
                value: `${largest.decideSpent.p99UnpreemptedMs.toFixed(3)} ms (${largest.decideSpent.p99Ms.toFixed(3)} ms with the ${largest.decideSpent.preempted} preempted)`,
                met: largest.decideSpent.p99UnpreemptedMs <= 1,
              },
              {
                target: `index ≥ 100× scan at ${largest.campaigns.toLocaleString('en-US')}`,
                value: `${largest.speedup.toFixed(0)}×`,
                met: largest.speedup >= 100,
              },
            ]
          : [],
        measured: results.every((r) => r.index.decisions > 0 && r.avgMatches > 0),
      };
    },
  },
  {
    name: 'HTTP: POST /v1/decisions vs a bare Hono route (autocannon, local server, DynamoDB Local, frequency caps on)',
    key: 'http',
    run: async () => {
      const durationSeconds = quick ? 3 : 15;
      const campaigns = quick ? 50 : 200;
      const [decisions, bare] = await benchHttp({
        campaigns,
        durationSeconds,
        connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
      });
      if (!decisions || !bare) throw new Error('no HTTP figures');
      const ratio = decisions.requestsPerSecond / bare.requestsPerSecond;
      // What the instance reads whatever the traffic: the campaign feed (≤ 1 Query/s), the budget
      // view (3 keys a campaign in BatchGets of 100, every BUDGET_REFRESH_SECONDS) and the 5 units (cached AD_UNIT_CACHE_SECONDS).
      const { BUDGET_REFRESH_SECONDS, AD_UNIT_CACHE_SECONDS } = config();
      const refreshReads =
        durationSeconds +
        (Math.ceil(durationSeconds / BUDGET_REFRESH_SECONDS) + 1) * Math.ceil((3 * campaigns) / 100) +
        (Math.ceil(durationSeconds / AD_UNIT_CACHE_SECONDS) + 1) * 5;
      return {
        step: 'http',
        rows: [decisions, bare].map((f) => ({
          target: f.target,
          'req/s': Math.round(f.requestsPerSecond),
          'p50 ms': f.p50Ms,
          'p99 ms': f.p99Ms,
          non2xx: f.non2xx,
          filled: f.filled,
          requests: f.total,
          'read calls': f.readCalls,
          'server CPU µs/req': Math.round(f.cpuMicrosPerRequest),
        })),
        checks: [
          {
            target: 'decisions ≥ 50 % of the bare route’s throughput',
            value: `${(ratio * 100).toFixed(0)} % (by server CPU per request: ${((bare.cpuMicrosPerRequest / decisions.cpuMicrosPerRequest) * 100).toFixed(0)} %, ${Math.round(decisions.cpuMicrosPerRequest)} vs ${Math.round(bare.cpuMicrosPerRequest)} µs)`,
            met: ratio >= 0.5,
          },
          {
            // The instance's own refreshes (the campaign feed ≤ 1 Query/s, budgets every BUDGET_REFRESH_SECONDS) are not per decision.
            target: 'read calls per warm decision = 0 (beyond the periodic refreshes)',
            value: `${decisions.readCalls} read calls in ${decisions.total} decisions (periodic refreshes allow ${refreshReads})`,
            met: decisions.readCalls <= refreshReads,
          },
        ],
        measured: decisions.filled > 0 && bare.total > 0,
      };
    },
  },
  {
    name: 'DynamoDB cost per operation (ReturnConsumedCapacity)',
    key: 'cost',
    run: async () => {
      const costs = await benchCost({ samples: quick ? 30 : 50, flushWaitMs: 1_500 });
      const decision = costs[0];
      return {
        step: 'cost',
        rows: costs.map((c) => ({
          operation: c.operation,
          n: c.samples,
          'RCU/op': c.rcuPer,
          'WCU/op': c.wcuPer,
          'read calls/op': c.readsPer,
          'writes (what for)': c.writes,
        })),
        checks: decision
          ? [
              {
                target: 'no read per warm decision beyond the frequency-cap read',
                value: `${decision.readsPer.toFixed(2)} read calls per decision (amortised)`,
                met: decision.readsPer <= 1.05,
              },
            ]
          : [],
        measured: costs.every((c) => c.samples > 0 && c.wcuPer + c.rcuPer > 0),
      };
    },
  },
  {
    name: 'Bundle sizes (esbuild output of cdk synth) and cold start',
    key: 'bundles',
    run: async () => {
      progress('cdk synth');
      const bundles = synthBundles();
      const serve = bundles.find((b) => b.fn === 'serve');
      if (!serve) throw new Error('no serve bundle');
      progress('fresh process: import the serve bundle and answer one decision');
      const world = await startWorld();
      let cold: ReturnType<typeof coldStart>;
      try {
        const serving = await seedServing(world, { campaigns: 20, units: 1, budgetMicros: 1_000_000_000, bidMicros: 2_000_000 });
        cold = coldStart(serve.path, world.env, {
          adUnitId: serving.units[0],
          viewer: { id: 'cold-viewer', region: 'CN-SH', device: 'mobile', interests: ['technology'] },
        });
      } finally {
        await world.close();
      }
      return {
        step: 'bundles',
        rows: [
          ...bundles.map((b) => ({ what: `${b.fn} bundle`, value: `${Math.round(b.bytes / 1024)} KB` })),
          { what: 'serve: import bundle (ms since process start)', value: cold.importMs.toFixed(0) },
          {
            what: 'serve: first decision answered (ms since process start)',
            value: `${cold.firstAnswerMs.toFixed(0)} (status ${cold.status}, ${cold.filled ? 'ad' : 'no ad'})`,
          },
          { what: 'whole probe process, spawn to exit (ms)', value: cold.processMs.toFixed(0) },
        ],
        checks: [
          { target: 'serve bundle < 300 KB', value: `${Math.round(serve.bytes / 1024)} KB`, met: serve.bytes < 300 * 1024 },
          { target: 'first decision < 150 ms from process start', value: `${cold.firstAnswerMs.toFixed(0)} ms`, met: cold.firstAnswerMs < 150 },
        ],
        measured: bundles.length === 4 && cold.status === 200 && cold.filled,
      };
    },
  },
  {
    name: 'Exactness under load',
    key: 'exactness',
    run: async () => {
      const r = await benchExactness({ seconds: quick ? 4 : 20, concurrency: 16 });
      return {
        step: 'exactness',
        rows: [
          { figure: 'events sent', value: r.events },
          { figure: 'events per second', value: Math.round(r.events / r.seconds) },
          { figure: 'decisions', value: r.decisions },
          { figure: 'billed impressions and clicks', value: r.billedEvents },
          { figure: 'direct order operations', value: r.orderOps },
          { figure: 'tracking requests that failed (5xx)', value: r.errors },
          { figure: 'invalid events sent (replays, forged, clicks without impression)', value: r.invalidSent },
          { figure: 'invalid events counted and not billed', value: r.invalidCounted },
          { figure: 'overspend (micros)', value: r.overspendMicros },
          { figure: 'campaigns whose postings differ from their journal (double or lost bills)', value: r.doubleBills },
          { figure: 'ledger sum (micros)', value: r.ledgerSumMicros },
          { figure: 'balances that differ from the replayed ledger', value: r.replayMismatches },
        ],
        checks: [
          { target: 'overspend 0', value: String(r.overspendMicros), met: r.overspendMicros === 0 },
          { target: 'double bills 0', value: String(r.doubleBills), met: r.doubleBills === 0 },
          { target: 'ledger sum 0', value: String(r.ledgerSumMicros), met: r.ledgerSumMicros === 0 && r.replayMismatches === 0 },
          { target: 'every invalid event sent was counted', value: `${r.invalidCounted} of ${r.invalidSent}`, met: r.invalidCounted === r.invalidSent },
        ],
        measured: r.billedEvents > 0 && r.decisions > 0 && r.invalidSent > 0,
      };
    },
  },
  {
    name: 'Ad tags: /tag.js in headless chromium against the local server',
    key: 'tags',
    run: async () => {
      const t = await benchTags({ pageViews: quick ? 5 : 20, log: progress });
      const maxDecisions = Math.max(...t.decisionRequests);
      const firstAd = median(t.firstAdMs);
      return {
        step: 'tags',
        rows: [
          { figure: '/tag.js bytes (minified / gzipped)', value: `${t.plainBytes} / ${t.gzippedBytes}` },
          { figure: 'page views (fresh context each, 2 units per page)', value: t.pageViews },
          { figure: 'tag.js received → first ad rendered, ms (p50 / max)', value: `${firstAd.toFixed(1)} / ${Math.max(...t.firstAdMs).toFixed(1)}` },
          { figure: '  of which the decision request (2 placements), ms (p50)', value: median(t.decisionMs).toFixed(1) },
          { figure: 'requests to Placard per page view (tag + decisions)', value: [...new Set(t.placardRequests)].join(', ') },
          { figure: 'decision requests per page view', value: [...new Set(t.decisionRequests)].join(', ') },
        ],
        checks: [
          { target: '/tag.js < 5 KB gzipped', value: `${(t.gzippedBytes / 1024).toFixed(2)} KB`, met: t.gzippedBytes < 5 * 1024 },
          {
            target: 'one decision request per page view, for all its units',
            value: String(maxDecisions),
            met: maxDecisions === 1 && Math.min(...t.decisionRequests) === 1,
          },
          { target: 'first ad < 100 ms after the tag arrives (local server)', value: `${firstAd.toFixed(1)} ms`, met: firstAd < 100 },
        ],
        measured: t.pageViews > 0 && t.firstAdMs.every((ms) => ms > 0),
      };
    },
  },
  {
    name: 'Billing at scale: writes by item key over a billing load (several serve instances, one table)',
    key: 'scale',
    run: async () => {
      const load = quick
        ? { events: 2_000, eventsPerSecond: 500, instances: 3, campaigns: 6, publishers: 4, unitsPerPublisher: 2, concurrency: 8 }
        : { events: 20_000, eventsPerSecond: 1_000, instances: 4, campaigns: 12, publishers: 8, unitsPerPublisher: 2, concurrency: 8 };
      const r = await benchScale(load);
      return {
        step: 'scale',
        rows: [
          {
            figure: 'load',
            value: `${load.events} CPM impressions at a simulated ${load.eventsPerSecond}/s (${r.simulatedSeconds} s), ${load.instances} instances, ${load.campaigns} campaigns, ${load.publishers} publishers × ${load.unitsPerPublisher} units`,
          },
          { figure: 'billed events', value: r.billed },
          { figure: 'tracking calls that failed (DynamoDB Local lock timeouts)', value: r.errors },
          { figure: 'events per second reached (DynamoDB Local, this machine)', value: Math.round(r.billed / r.seconds) },
          { figure: 'WCU per billed event (events, leases, postings, counters)', value: r.wcuPerEvent.toFixed(2) },
          { figure: '  of which index entries', value: r.indexWcuPerEvent.toFixed(2) },
          { figure: 'largest journal item, bytes (1 WCU per KB started)', value: r.journalItemBytes },
          { figure: 'item writes per billed event', value: r.writesPerEvent.toFixed(2) },
          ...r.byKind.slice(0, 12).map(([kind, n]) => ({ figure: `  ${kind} per billed event`, value: n.toFixed(3) })),
          { figure: 'hottest item', value: r.hottestItem },
          { figure: 'hottest item WCU per simulated second', value: r.hottestWcuPerSecond.toFixed(1) },
          { figure: 'transactional writes to the hottest item per billed event', value: r.hottestTxPerEvent.toFixed(4) },
          { figure: 'implied ceiling at 1 000 WCU/s per item (events/s)', value: Math.round(r.ceilingEventsPerSecond) },
        ],
        checks: [
          {
            target: 'WCU per billed event ≤ 2 (was ~12; 8.31 with leases and one transaction per event)',
            value: r.wcuPerEvent.toFixed(2),
            met: r.wcuPerEvent <= 2,
          },
          { target: 'journal item ≤ 1 KB (one WCU per write)', value: `${r.journalItemBytes} B`, met: r.journalItemBytes <= 1024 },
          {
            target: 'transactional writes to the hottest item per billed event ≤ 0.01 (was 1.0)',
            value: r.hottestTxPerEvent.toFixed(4),
            met: r.hottestTxPerEvent <= 0.01,
          },
          {
            target: 'implied ceiling ≥ 100 000 events/s (was a few hundred)',
            value: Math.round(r.ceilingEventsPerSecond).toLocaleString('en-US'),
            met: r.ceilingEventsPerSecond >= 100_000,
          },
        ],
        measured: r.billed > 0,
      };
    },
  },
  {
    name: 'Console: initial JavaScript and time to a usable marketplace page',
    key: 'console',
    run: async () => {
      const c = await benchConsole({ accounts: quick ? 50 : 300, loads: quick ? 3 : 10 });
      const median = percentile(c.warmMs, 50);
      return {
        step: 'console',
        rows: [
          { figure: 'initial JS (raw)', value: `${Math.round(c.initialJsBytes / 1024)} KB` },
          { figure: 'initial JS (gzip -9)', value: `${Math.round(c.initialJsGzipBytes / 1024)} KB` },
          { figure: `marketplace usable, first load, empty cache (${c.accounts} accounts)`, value: `${c.firstMs.toFixed(0)} ms` },
          { figure: `marketplace usable, warm loads (median of ${c.warmMs.length})`, value: `${median.toFixed(0)} ms` },
          { figure: 'marketplace usable, warm loads (max)', value: `${c.warmMs[c.warmMs.length - 1]!.toFixed(0)} ms` },
        ],
        checks: [
          { target: 'initial JS ≤ 250 KB gzipped', value: `${Math.round(c.initialJsGzipBytes / 1024)} KB`, met: c.initialJsGzipBytes <= 250 * 1024 },
          { target: 'marketplace usable ≤ 2 000 ms from navigation (first load)', value: `${c.firstMs.toFixed(0)} ms`, met: c.firstMs <= 2_000 },
        ],
        measured: c.initialJsGzipBytes > 0 && c.warmMs.length > 0,
      };
    },
  },
  {
    name: 'Input bounds: an oversized slot rule refused, a year of the marketplace planned',
    key: 'bounds',
    run: async () => {
      progress('POST a weekday rule over 1000-01-01…9999-12-31');
      const refusal = await benchRuleRefusal(quick ? 5 : 20);
      const timeLimitMs = config().MATCH_PLAN_TIME_MS;
      progress('match over 366 days, budgets from 1 000 CNY to unbounded');
      const plans = benchPlans(quick ? 100 : 300, [1e9, 1e11, 1e13, 1e15], timeLimitMs);
      const slowestPlan = Math.max(...plans.map((p) => p.ms - p.unplannedMs));
      return {
        step: 'bounds',
        rows: [
          { what: `slot rule over 8 999 years: statuses ${refusal.statuses.join(', ')}`, 'p50 ms': refusal.p50Ms, 'max ms': refusal.maxMs },
          { what: 'GET /v1/me (the same key lookup; yardstick)', 'p50 ms': refusal.baselineP50Ms, 'max ms': '' },
          ...plans.map((p) => ({
            what: `match 366 days, ${p.slots.toLocaleString('en-US')} slots, budget ${p.budgetMicros.toExponential(0)} micros: ${p.method}${p.ratio === null ? '' : ` (≥ ${(p.ratio * 100).toFixed(2)} % of optimum)`}, ${p.planned} planned`,
            'p50 ms': p.ms,
            'max ms': p.ms,
            'without budget ms': p.unplannedMs,
          })),
        ],
        checks: [
          {
            target: 'slot rule over 1000-01-01…9999-12-31 refused (400) within 3× GET /v1/me (p50)',
            value: `${refusal.p50Ms.toFixed(0)} ms vs ${refusal.baselineP50Ms.toFixed(0)} ms, status ${refusal.statuses.join(', ')}`,
            met: refusal.p50Ms < 3 * refusal.baselineP50Ms && refusal.statuses.every((s) => s === 400),
          },
          {
            target: `planning a year with any budget adds < ${timeLimitMs * 2} ms to the match (planner time limit ${timeLimitMs} ms)`,
            value: `${slowestPlan.toFixed(0)} ms at most`,
            met: slowestPlan < timeLimitMs * 2 && plans.every((p) => p.method !== 'none'),
          },
        ],
        measured: refusal.requests > 0 && plans.every((p) => p.planned > 0),
      };
    },
  },
  {
    name: 'Traffic quality: a scripted attacker, honest readers (carrier-grade NAT included), the cost of the checks',
    key: 'traffic',
    run: async () => {
      const t = await benchTraffic({ quick });
      const limits = config();
      const bound = Math.min(5 * limits.SOURCE_CAMPAIGN_DAILY_LIMIT, limits.SOURCE_UNIT_HOURLY_LIMIT);
      const population = (p: (typeof t.honest)[number]) => {
        const { refused, rate } = falseRefusals(p);
        return {
          population: p.name,
          decisions: p.decisions,
          '429': p.rateLimited,
          impressions: p.impressions,
          billed: p.billed,
          'micros moved': p.micros,
          'refused (invalid)': Object.entries(p.invalidByReason)
            .map(([reason, n]) => `${reason} ${n}`)
            .join(', '),
          'false refusals': `${refused} (${(rate * 100).toFixed(2)} %)`,
        };
      };
      const attack = (p: typeof t.attacker) => ({
        ...population(p),
        'false refusals': '',
      });
      return {
        step: 'traffic',
        rows: [
          attack(t.attacker),
          attack(t.attackerRulesOff),
          ...t.honest.map(population),
          { population: 'CPU of the traffic checks per decision (fingerprint, 2 rate limits, origins, UA parse), µs', decisions: t.cpu.decisionUs.toFixed(1) },
          { population: 'CPU of the traffic checks per tracking event (fingerprint, bot list, validity), µs', decisions: t.cpu.eventUs.toFixed(1) },
          {
            population: 'DynamoDB reads / item writes of the traffic checks per decision (in memory)',
            decisions: `0 / ${t.io.decisionSourceItems.toFixed(2)}`,
          },
          {
            population: 'DynamoDB reads / item writes of the traffic checks per billed event (SOURCE#, in its transaction)',
            decisions: `0 / ${t.io.sourceWritesPerBilled.toFixed(2)}`,
          },
        ],
        checks: [
          {
            target: `attacker bills ≤ the per-source limits (${bound}) per 1 000 requests from one address (rules off: ${t.attackerRulesOff.billed})`,
            value: `${t.attacker.billed} billed, ${t.attacker.micros} micros`,
            met: t.attacker.billed <= bound,
          },
          ...t.honest.map((p) => ({
            target: `false refusals 0: ${p.name}`,
            value: `${falseRefusals(p).refused} of ${p.decisions}`,
            met: falseRefusals(p).refused === 0,
          })),
          { target: 'traffic checks < 50 µs CPU per decision', value: `${t.cpu.decisionUs.toFixed(1)} µs`, met: t.cpu.decisionUs < 50 },
          { target: 'traffic checks < 50 µs CPU per tracking event', value: `${t.cpu.eventUs.toFixed(1)} µs`, met: t.cpu.eventUs < 50 },
          {
            target: 'per-source limits: one item write per billed event, a conditional update before the journal put (decision checks are in memory)',
            value: `${t.io.sourceWritesPerBilled.toFixed(2)} source-limit writes per billed event`,
            met: t.io.sourceWritesPerBilled <= 1.001 && t.io.decisionSourceItems === 0,
          },
        ],
        measured: t.attacker.decisions > 0 && t.honest.every((p) => p.billed > 0),
      };
    },
  },
];

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`Placard benchmarks${quick ? ' (quick)' : ''} on ${machine}\n`);
  const results: StepResult[] = [];
  for (const step of steps.filter((s) => !only || only.includes(s.key))) {
    console.log(`\n## ${step.name}`);
    const started = performance.now();
    const result = await step.run();
    printTable(result.rows);
    for (const c of result.checks) console.log(`${c.met ? '✓' : '✗'} ${c.target}: ${c.value}`);
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    results.push(result);
  }
  // --only replaces its steps' results and keeps the others' from the last run.
  const file = new URL('./results.json', import.meta.url);
  const kept =
    only && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { results: StepResult[] }).results.filter((r) => !only.includes(r.step)) : [];
  writeFileSync(file, JSON.stringify({ machine, quick, at: new Date().toISOString(), results: [...kept, ...results] }, null, 2));
  const empty = results.filter((r) => !r.measured).map((r) => r.step);
  if (empty.length > 0) {
    console.error(`\nThese steps measured nothing: ${empty.join(', ')}`);
    process.exit(1);
  }
  console.log('\nWrote bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
