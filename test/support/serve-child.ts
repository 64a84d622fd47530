/**
 * A serve process for crash tests: the real serve app on a random free port over the test's
 * table (DynamoDB Local, the access key in SERVE_ACCESS_KEY), printing `PORT <n>` when it
 * listens. SIGTERM stops it gracefully (leases returned); SIGKILL is the crash.
 */
import { serve } from '@hono/node-server';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import { parseConfig } from '../../functions/config.js';
import { createDeps } from '../../functions/deps.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { createDb } from '../../functions/store/client.js';

const config = parseConfig(process.env);
const db = createDb(config.TABLE_NAME, {
  endpoint: config.DYNAMODB_ENDPOINT,
  region: 'us-east-1',
  credentials: { accessKeyId: process.env.SERVE_ACCESS_KEY ?? '', secretAccessKey: 'local' },
});
const deps = createDeps(config, { db });
const server = serve({ port: 0, hostname: '127.0.0.1', fetch: createServeApp(deps).fetch }, (info) => console.log(`PORT ${info.port}`));
process.on('SIGTERM', () => {
  server.close();
  void serveEngine(deps)
    .stop()
    .finally(() => process.exit(0));
});
