import { Logger } from '@aws-lambda-powertools/logger';
import { serveEngine } from '../functions/app/serving/serve-engine.js';
import { parseConfig } from '../functions/config.js';
import { eventValidity } from '../functions/core/serving/event-validity.js';
import { fingerprint, isBot } from '../functions/core/serving/fingerprint.js';
import { RateLimiter } from '../functions/core/serving/rate-limit.js';
import type { TrackingPayload } from '../functions/core/serving/tracking.js';
import { unitAccess } from '../functions/core/serving/unit-access.js';
import { viewerFromHeaders } from '../functions/core/serving/user-agent.js';
import { createDeps, type Deps } from '../functions/deps.js';
import { createServeApp } from '../functions/http/serve-app.js';
import { createDb } from '../functions/store/client.js';
import { call } from '../test/support/http.js';
import { recordCapacity, type CallCost } from './capacity.js';
import { progress } from './report.js';
import { seedServing } from './serving-world.js';
import { BENCH_SECRET, startWorld, type World } from './world.js';

/**
 * Traffic quality (issue 10), measured on the real serve app in process, each request carrying its
 * source address the way API Gateway hands it to the Lambda (`requestContext.http.sourceIp`),
 * under the default limits and a movable clock:
 * - a scripted attacker: 1 000 requests from one address and user agent (decision + impression
 *   rounds, made-up viewer ids, a spoofed X-Forwarded-For on every other one, waiting the minimum
 *   delay); what it bills, and what the same script bills with the traffic rules off;
 * - honest readers with first-party viewer ids and human timing over a simulated day: many
 *   addresses; thousands behind one carrier-grade NAT address with a spread of user agents; and
 *   the worst case, thousands behind one address on one in-app browser version. A false refusal
 *   is a 429 on a decision or an impression counted invalid;
 * - the CPU the traffic checks add per decision and per event, and their DynamoDB writes.
 */

export interface Population {
  name: string;
  decisions: number;
  rateLimited: number;
  impressions: number;
  billed: number;
  micros: number;
  invalidByReason: Record<string, number>;
}

export interface Traffic {
  attacker: Population;
  attackerRulesOff: Population;
  honest: Population[];
  cpu: { decisionUs: number; eventUs: number };
  /** Reads and writes of the traffic checks' own items (SOURCE#…): per decision, and per billed impression. */
  io: { decisionSourceItems: number; sourceWritesPerBilled: number };
}

/**
 * Writes of the per-source counters (`SOURCE#<fingerprint> / <day>`), summed per phase: the only
 * items the traffic checks touch (nothing reads them: the limits are conditions on the write). The
 * rest of what a page view costs in a sparse simulated day (feed and budget refreshes, a lease
 * per event when events are a minute apart) is the serve path's, measured by the cost and scale steps.
 */
class Io {
  sourceWrites = 0;
  add(calls: CallCost[]): void {
    for (const c of calls) this.sourceWrites += c.items.filter((it) => it.key.startsWith('SOURCE#')).length;
  }
}

const MS_PER_HOUR = 3_600_000;
const DAY_MS = 24 * MS_PER_HOUR;
const ATTACK_REQUESTS = 1_000;
/** The in-app browser most readers of official accounts use, in a few versions (iOS and Android builds). */
const WECHAT = (i: number): string =>
  i % 2 === 0
    ? `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${i % 7} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.${40 + (i % 9)}(0x18002f2c) NetType/4G Language/zh_CN`
    : `Mozilla/5.0 (Linux; Android 1${3 + (i % 2)}; V2${(i % 13) + 100}A Build/TP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.${40 + (i % 9)}.2560(0x28002855) WeChat/arm64 NetType/5G Language/zh_CN`;

type MovableClock = (() => Date) & { set(ms: number): void; advance(ms: number): void };
function movableClock(): MovableClock {
  let now = Date.now();
  const clock = (() => new Date(now)) as MovableClock;
  clock.set = (ms) => {
    now = Math.max(now, ms);
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/** The serve app under the default traffic rules, over the world's table, on a movable clock. */
function defaultRules(world: World, clock: MovableClock): { deps: Deps; serve: ReturnType<typeof createServeApp> } {
  const {
    DECISIONS_PER_SOURCE_PER_MINUTE,
    DECISIONS_PER_VIEWER_PER_MINUTE,
    MIN_IMPRESSION_DELAY_MS,
    SOURCE_CAMPAIGN_DAILY_LIMIT,
    SOURCE_UNIT_HOURLY_LIMIT,
    ...env
  } = world.env;
  const config = parseConfig(env);
  // A client of its own: one serve engine per client, apart from the world's (which runs without the rules).
  const db = createDb(config.TABLE_NAME, {
    endpoint: env.DYNAMODB_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const deps = createDeps(config, { db, clock, logger: new Logger({ serviceName: 'placard-bench', logLevel: 'ERROR' }) });
  return { deps, serve: createServeApp(deps) };
}

type Serve = ReturnType<typeof createServeApp>;
const gateway = (sourceIp: string) => ({ requestContext: { http: { sourceIp } } });

async function decide(serve: Serve, unit: string, viewer: string, sourceIp: string, headers: Record<string, string>) {
  const res = await serve.request(
    '/v1/decisions',
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ adUnitId: unit, viewer: { id: viewer } }) },
    gateway(sourceIp),
  );
  return { status: res.status, body: (await res.json()) as { ad?: { impressionUrl: string } | null } };
}

async function show(serve: Serve, url: string, sourceIp: string, headers: Record<string, string>): Promise<void> {
  const res = await serve.request(new URL(url, 'http://x').pathname, { headers }, gateway(sourceIp));
  await res.arrayBuffer();
}

/** What the unit's report says happened between `from` and `to` (its counters are the platform's own count). */
async function outcome(world: World, publisherKey: string, unit: string, from: number, to: number) {
  const res = await call(world.api, 'GET', `/v1/reports?dimension=adUnit&id=${unit}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, {
    key: publisherKey,
  });
  if (res.status !== 200) throw new Error(`report → ${res.status} ${JSON.stringify(res.body)}`);
  const t = res.body.totals as { impressions: number; spendMicros: number; invalidByReason: Record<string, number> };
  return { billed: t.impressions, micros: t.spendMicros, invalidByReason: t.invalidByReason };
}

/** 1 000 requests: decision + impression rounds with made-up viewer ids from one address and user agent. */
async function attack(serve: Serve, unit: string, clock: MovableClock, delayMs: number) {
  let decisions = 0;
  let rateLimited = 0;
  let impressions = 0;
  for (let round = 0; decisions + impressions < ATTACK_REQUESTS; round++) {
    const spoof: Record<string, string> = round % 2 === 0 ? { 'x-forwarded-for': `198.51.${round % 256}.${round % 200}` } : {};
    const headers = { 'user-agent': WECHAT(0), ...spoof };
    const d = await decide(serve, unit, `made-up-${round}-${Math.random()}`, '203.0.113.9', headers);
    decisions++;
    if (d.status === 429) {
      rateLimited++;
      continue;
    }
    if (!d.body.ad) continue;
    clock.advance(delayMs);
    await show(serve, d.body.ad.impressionUrl, '203.0.113.9', headers);
    impressions++;
  }
  return { decisions, rateLimited, impressions };
}

interface Reader {
  id: string;
  address: string;
  userAgent: string;
}

/**
 * A day of honest reading: each reader views `views` pages at random times of the day; a page
 * asks for a decision, and the ad is seen (viewable for a second) one to five seconds later.
 */
async function readDay(
  serve: Serve,
  unit: string,
  clock: MovableClock,
  readers: Reader[],
  views: number,
  dayStart: number,
  io: { take(): CallCost[]; decisions: Io; events: Io },
) {
  const pageViews = readers.flatMap((r) => Array.from({ length: views }, () => ({ r, at: dayStart + Math.floor(Math.random() * (DAY_MS - 60_000)) })));
  pageViews.sort((a, b) => a.at - b.at);
  let rateLimited = 0;
  let impressions = 0;
  for (const { r, at } of pageViews) {
    clock.set(at);
    const headers = { 'user-agent': r.userAgent };
    io.take();
    const d = await decide(serve, unit, r.id, r.address, headers);
    io.decisions.add(io.take());
    if (d.status === 429) {
      rateLimited++;
      continue;
    }
    if (!d.body.ad) continue;
    clock.advance(1_000 + Math.floor(Math.random() * 4_000));
    await show(serve, d.body.ad.impressionUrl, r.address, headers);
    io.events.add(io.take());
    impressions++;
  }
  return { decisions: pageViews.length, rateLimited, impressions };
}

/** CPU microseconds per call of `fn`, measured with process.cpuUsage over `n` calls after a warm-up. */
function cpuMicros(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 2_000); i++) fn(i);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/** The traffic checks alone: fingerprint, the two rate limiters, the unit's origins, the user agent (decision); fingerprint, bot list, validity (event). */
function checkCosts(n: number): { decisionUs: number; eventUs: number } {
  const perSource = new RateLimiter(6_000, 100_000);
  const perViewer = new RateLimiter(120, 100_000);
  const unit = { allowedOrigins: ['https://news.example.com', 'https://m.news.example.com'] };
  const now = Date.now();
  const decisionUs = cpuMicros(n, (i) => {
    const source = { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: WECHAT(i) };
    const seen = fingerprint(source, BENCH_SECRET, now);
    perSource.take(seen, now);
    perViewer.take(`${seen}|viewer-${i}`, now);
    unitAccess(unit, { origin: 'https://news.example.com', serverKey: undefined });
    return viewerFromHeaders({ userAgent: source.userAgent });
  });
  const payload = { event: 'i', decidedAt: now - 2_000, fingerprint: 'x' } as TrackingPayload;
  const eventUs = cpuMicros(n, (i) => {
    const source = { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: WECHAT(i) };
    return eventValidity(payload, { fingerprint: fingerprint(source, BENCH_SECRET, now), bot: isBot(source.userAgent) }, now, 100);
  });
  return { decisionUs, eventUs };
}

export async function benchTraffic(options: { quick: boolean }): Promise<Traffic> {
  const world = await startWorld();
  try {
    progress('seeding: one unit per population, five CPM campaigns on them');
    const seeded = await seedServing(world, {
      campaigns: 5,
      units: 5,
      budgetMicros: 1_000_000_000_000,
      bidMicros: 2_000_000,
      everyone: true,
      ownUnitsOnly: true,
    });
    const [attackUnit, offUnit, manyUnit, natUnit, natOneUaUnit] = seeded.units as [string, string, string, string, string];
    const clock = movableClock();
    const { deps, serve } = defaultRules(world, clock);
    const capacity = recordCapacity(deps.db.client);
    const start = clock().getTime();
    const report = async (name: string, unit: string, d: { decisions: number; rateLimited: number; impressions: number }, from: number, to: number) => ({
      name,
      ...d,
      ...(await outcome(world, seeded.publisherKey, unit, from, to)),
    });

    progress(`attacker: ${ATTACK_REQUESTS} requests from one address, default rules`);
    const attacked = await attack(serve, attackUnit, clock, deps.config.MIN_IMPRESSION_DELAY_MS);
    await serveEngine(deps).flush();
    const attacker = await report('scripted attacker, one address and user agent (default rules)', attackUnit, attacked, start, clock().getTime());
    progress('the same attacker with the traffic rules off');
    const offStart = Date.now();
    const off = await attack(world.serve, offUnit, movableClock(), 0);
    await serveEngine(world.deps).flush();
    const attackerRulesOff = await report('the same attacker, traffic rules off', offUnit, off, offStart - MS_PER_HOUR, Date.now() + MS_PER_HOUR);

    const [own, nat] = options.quick ? [100, 300] : [500, 2_000];
    const populations: { name: string; unit: string; readers: Reader[] }[] = [
      {
        name: `${own} readers on addresses of their own, mixed user agents`,
        unit: manyUnit,
        readers: Array.from({ length: own }, (_, i) => ({ id: `home-${i}`, address: `100.${64 + (i % 60)}.${i >> 8}.${i & 255}`, userAgent: WECHAT(i) })),
      },
      {
        name: `${nat} readers behind one carrier-grade NAT address, mixed user agents`,
        unit: natUnit,
        readers: Array.from({ length: nat }, (_, i) => ({ id: `nat-${i}`, address: '100.64.7.1', userAgent: WECHAT(i) })),
      },
      {
        name: `${nat} readers behind one address, one in-app browser version (worst case)`,
        unit: natOneUaUnit,
        readers: Array.from({ length: nat }, (_, i) => ({ id: `nat1-${i}`, address: '100.64.9.1', userAgent: WECHAT(0) })),
      },
    ];
    const honest: Population[] = [];
    const io = { take: () => capacity.take(), decisions: new Io(), events: new Io() };
    let decisions = 0;
    let billed = 0;
    for (const p of populations) {
      // Each population reads on a day of its own: the per-day limits start afresh.
      clock.set(Math.ceil((clock().getTime() + 1) / DAY_MS) * DAY_MS);
      const dayStart = clock().getTime();
      progress(`${p.name}: a day of reading, two page views each`);
      const read = await readDay(serve, p.unit, clock, p.readers, 2, dayStart, io);
      await serveEngine(deps).flush();
      const result = await report(p.name, p.unit, read, dayStart, clock().getTime());
      honest.push(result);
      decisions += read.decisions;
      billed += result.billed;
    }
    progress('CPU of the traffic checks');
    return {
      attacker,
      attackerRulesOff,
      honest,
      cpu: checkCosts(options.quick ? 20_000 : 100_000),
      io: { decisionSourceItems: io.decisions.sourceWrites / Math.max(1, decisions), sourceWritesPerBilled: io.events.sourceWrites / Math.max(1, billed) },
    };
  } finally {
    await world.close();
  }
}

/** Honest events refused (429 on a decision, or an impression counted invalid), as a share of what the readers asked. */
export function falseRefusals(p: Population): { refused: number; rate: number } {
  const refused = p.rateLimited + Object.values(p.invalidByReason).reduce((a, b) => a + b, 0);
  return { refused, rate: p.decisions === 0 ? 0 : refused / p.decisions };
}
