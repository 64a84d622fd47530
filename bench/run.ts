/**
 * npm run bench [-- --quick]
 * Measures the decision engine, the HTTP path, DynamoDB cost, bundle size and cold start, and
 * exactness under load, printing a table per step as it goes and writing bench/results.json.
 * --quick is a small run for CI: it proves the harness works and fails when a step measured
 * nothing. Figures are compared as ratios within one run; this machine is noisy.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchEngine } from './engine.js';
import { synthBundles } from './bundles.js';
import { printTable, progress, type StepResult } from './report.js';

const quick = process.argv.includes('--quick');

type Step = { name: string; run: () => Promise<StepResult> };

const steps: Step[] = [
  {
    name: 'Decision engine, in process',
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
        'decide p99 ms': r.decide.p99Ms,
        'bytes/campaign': Math.round(r.bytesPerCampaign),
        'rebuild ms': r.buildMs,
      }));
      const largest = results.at(-1);
      return {
        step: 'engine',
        rows,
        checks: largest
          ? [
              { target: `index p99 < 0.2 ms at ${largest.campaigns.toLocaleString('en-US')}`, value: `${largest.index.p99Ms.toFixed(3)} ms`, met: largest.index.p99Ms < 0.2 },
              { target: `index ≥ 100× scan at ${largest.campaigns.toLocaleString('en-US')}`, value: `${largest.speedup.toFixed(0)}×`, met: largest.speedup >= 100 },
            ]
          : [],
        measured: results.every((r) => r.index.decisions > 0 && r.avgMatches > 0),
      };
    },
  },
  {
    name: 'Bundle sizes (esbuild output of cdk synth)',
    run: async () => {
      progress('cdk synth');
      const bundles = synthBundles();
      const serve = bundles.find((b) => b.fn === 'serve');
      return {
        step: 'bundles',
        rows: bundles.map((b) => ({ function: b.fn, KB: Math.round(b.bytes / 1024) })),
        checks: serve ? [{ target: 'serve bundle < 300 KB', value: `${Math.round(serve.bytes / 1024)} KB`, met: serve.bytes < 300 * 1024 }] : [],
        measured: bundles.length === 4 && bundles.every((b) => b.bytes > 0),
      };
    },
  },
];

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`Placard benchmarks${quick ? ' (quick)' : ''} on ${machine}\n`);
  const results: StepResult[] = [];
  for (const step of steps) {
    console.log(`\n## ${step.name}`);
    const started = performance.now();
    const result = await step.run();
    printTable(result.rows);
    for (const c of result.checks) console.log(`${c.met ? '✓' : '✗'} ${c.target}: ${c.value}`);
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    results.push(result);
  }
  writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ machine, quick, at: new Date().toISOString(), results }, null, 2));
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
