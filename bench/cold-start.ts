import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { httpEvent } from '../test/fixtures/events.js';

export interface ColdStart {
  /** From process start to the bundle imported (ms). */
  importMs: number;
  /** From process start to the first decision answered (ms). */
  firstAnswerMs: number;
  /** The whole process, spawn to exit, as the parent saw it (ms). */
  processMs: number;
  status: number;
  filled: boolean;
}

/**
 * Starts a fresh Node process that imports the serve bundle (as synthesized for Lambda) and
 * answers one decision against DynamoDB Local. The bundle is copied under bench/ so it resolves
 * the AWS SDK from node_modules, as the Lambda runtime provides it.
 */
export function coldStart(bundlePath: string, env: Record<string, string>, decision: unknown): ColdStart {
  const dir = join('bench', '.cold');
  mkdirSync(dir, { recursive: true });
  const bundle = join(dir, 'serve.mjs');
  copyFileSync(bundlePath, bundle);
  const event = httpEvent('POST', '/v1/decisions', { body: decision });
  const probe = `
    const { handler } = await import(${JSON.stringify(`./${bundle}`)});
    const importMs = performance.now();
    const res = await handler(${JSON.stringify(event)});
    const firstAnswerMs = performance.now();
    console.log('COLD ' + JSON.stringify({ importMs, firstAnswerMs, status: res.statusCode, filled: res.body.includes('impressionUrl') }));
    process.exit(0);`;
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    encoding: 'utf8',
    env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  const processMs = performance.now() - started;
  const line = run.stdout.split('\n').find((l) => l.startsWith('COLD '));
  if (!line) throw new Error(`cold start probe failed:\n${run.stderr.slice(-2000)}`);
  return { ...(JSON.parse(line.slice(5)) as Omit<ColdStart, 'processMs'>), processMs };
}
