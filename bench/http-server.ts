/**
 * The server side of the HTTP benchmark, run in its own process so the load generator does not
 * share its event loop: DynamoDB Local, active campaigns with frequency caps, both apps on one
 * port as `npm start` serves them, and a bare Hono route in the same process as the baseline.
 * `GET /reads` answers how many DynamoDB read calls (GetItem, BatchGetItem, Query, Scan) the
 * server has made so far, and the CPU time it has used. Prints one `READY {json}` line, then serves until killed.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { dispatch } from '../functions/http/routing.js';
import { seedServing } from './serving-world.js';
import { startWorld } from './world.js';

const campaigns = Number(process.argv[2] ?? 200);
const world = await startWorld();
const serving = await seedServing(world, {
  campaigns,
  units: 5,
  budgetMicros: 100_000_000_000,
  bidMicros: 2_000_000,
  frequencyCap: { impressions: 3, perHours: 24 },
});

let reads = 0;
world.deps.db.doc.middlewareStack.add(
  (next, context) => (args) => {
    if (/^(GetItem|BatchGetItem|Query|Scan|TransactGetItems)Command$/.test(context.commandName ?? '')) reads++;
    return next(args);
  },
  { step: 'initialize', name: 'countReads' },
);

const bare = new Hono();
bare.post('/bare', async (c) => c.json({ ok: true, body: await c.req.json() }));
// CPU the server process used so far (user + system, µs): per request, it compares the two targets whatever else the machine runs.
bare.get('/reads', (c) => {
  const cpu = process.cpuUsage();
  return c.json({ reads, cpuMicros: cpu.user + cpu.system });
});
const apps = dispatch(world.api, world.serve);
const server = serve(
  {
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request: Request, env: unknown) => (['/bare', '/reads'].includes(new URL(request.url).pathname) ? bare.fetch(request) : apps(request, env)),
  },
  (info) => {
    console.log(`READY ${JSON.stringify({ port: info.port, units: serving.units })}`);
  },
);

const stop = async () => {
  server.close();
  await world.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
