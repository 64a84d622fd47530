/**
 * The layers of DESIGN.md §2 and STYLE.md, checked in CI (`npm run lint:deps`):
 * entries → http / background → app → core, and app → store → core; no cycles.
 */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-is-pure',
      comment: 'core is pure domain logic: no framework, no AWS SDK, nothing of ours above it.',
      severity: 'error',
      from: { path: '^functions/core/' },
      to: {
        path: [
          '^functions/(app|store|http|background)/',
          '^functions/(deps|config|api|serve|jobs|stream)\\.ts$',
          'node_modules/(hono|@hono|@aws-sdk|@aws-lambda-powertools)/',
        ],
      },
    },
    {
      name: 'store-is-persistence',
      comment: 'store knows no http, no use case and no background job.',
      severity: 'error',
      from: { path: '^functions/store/' },
      to: { path: ['^functions/(app|http|background)/', 'node_modules/(hono|@hono)/'] },
    },
    {
      name: 'app-knows-no-http',
      comment: 'use cases are called by http, jobs and scripts alike.',
      severity: 'error',
      from: { path: '^functions/app/' },
      to: { path: ['^functions/(http|background)/', 'node_modules/(hono|@hono)/'] },
    },
    {
      name: 'functions-not-from-outside',
      comment: 'what runs in a Lambda never imports scripts, bench, test or infra.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(scripts|bench|test|infra|console)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['node_modules', 'cdk.out', 'console/dist'] },
  },
};
