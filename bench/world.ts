import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { parseConfig } from '../functions/config.js';
import type { Clock } from '../functions/core/shared/clock.js';
import { createDeps, type Deps } from '../functions/deps.js';
import { createApp } from '../functions/http/app.js';
import { createServeApp } from '../functions/http/serve-app.js';
import { createDb } from '../functions/store/client.js';
import { ensureTable } from '../functions/store/create-table.js';
import { tenantStore } from '../functions/store/tenants.js';
import { startDynamoLocal, type DynamoLocal } from '../scripts/local/dynamodb-local.js';
import { BROWSER_UA, raw, signup } from '../test/support/http.js';

export const BENCH_SECRET = randomBytes(32).toString('hex');

/** A platform for benchmarks: DynamoDB Local in memory, the table, both apps, an operator key. */
export interface World {
  dynamo: DynamoLocal;
  deps: Deps;
  api: ReturnType<typeof createApp>;
  serve: ReturnType<typeof createServeApp>;
  adminKey: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * `publicBaseUrl`: where the world's server will listen, for the tracking URLs decisions hand out;
 * `clock`: the platform's clock (a simulation's), `env`: settings of a step.
 */
export async function startWorld(options: { publicBaseUrl?: string; clock?: Clock; env?: Record<string, string> } = {}): Promise<World> {
  const dynamo = await startDynamoLocal();
  const env = {
    TABLE_NAME: 'placard',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    TRACKING_SECRET: BENCH_SECRET,
    PUBLIC_BASE_URL: options.publicBaseUrl ?? 'http://127.0.0.1:3000',
    // The load steps are one source at machine speed: rate limits, per-source billing limits and the impression delay would
    // refuse them. What those rules do to traffic is not what these steps measure.
    DECISIONS_PER_SOURCE_PER_MINUTE: '1000000000',
    DECISIONS_PER_VIEWER_PER_MINUTE: '1000000000',
    MIN_IMPRESSION_DELAY_MS: '0',
    SOURCE_CAMPAIGN_DAILY_LIMIT: '1000000000',
    SOURCE_UNIT_HOURLY_LIMIT: '1000000000',
    ...options.env,
  };
  const config = parseConfig(env);
  const db = createDb(config.TABLE_NAME, { endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  await ensureTable(db.client, db.tableName);
  const deps = createDeps(config, {
    db,
    ...(options.clock ? { clock: options.clock } : {}),
    logger: new Logger({ serviceName: 'placard-bench', logLevel: (process.env.BENCH_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR' }),
  });
  const admin = await tenantStore(db, deps.clock, deps.ids).create({ role: 'admin', name: 'Bench operator', email: 'bench-admin@example.com' });
  return {
    dynamo,
    deps,
    api: createApp(deps),
    serve: createServeApp(deps),
    adminKey: admin.key.key,
    env,
    close: () => dynamo.stop(),
  };
}

/** A tracking URL requested as a browser would (bots and agent-less requests never bill). */
export function trackAsBrowser(world: World, path: string): Promise<Response> {
  return Promise.resolve(world.serve.request(path, { headers: { 'user-agent': BROWSER_UA } }));
}

/** Calls the api and fails loudly on an unexpected status, so a broken setup never yields empty figures. */
export async function must(
  world: World,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  options: { idempotent?: boolean; status?: number[] } = {},
): Promise<any> {
  const headers: Record<string, string> = options.idempotent ? { 'idempotency-key': randomBytes(8).toString('hex') } : {};
  const res = await raw(world.api, method, path, { key, body, headers });
  const status = options.status ?? [200, 201];
  if (!status.includes(res.status)) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
  return res.text ? JSON.parse(res.text) : undefined;
}

export async function fundedAdvertiser(world: World, amountMicros: number): Promise<{ id: string; key: string }> {
  const advertiser = await signup(world.api, 'advertiser');
  await must(world, 'POST', '/v1/admin/deposits', world.adminKey, { advertiserId: advertiser.id, amountMicros, reference: 'bench' }, { idempotent: true });
  return advertiser;
}

const AUDIENCE = {
  followers: 200_000,
  averageReads: 20_000,
  gender: { female: 0.55, male: 0.45 },
  ageBand: { '18-24': 0.3, '25-34': 0.4, '35-44': 0.2 },
  region: { 'CN-SH': 0.3, 'CN-BJ': 0.2, 'CN-GD': 0.2 },
  interests: { technology: 0.3, ai: 0.2, gadgets: 0.2 },
};

/** A publisher with one account, `slots` daily ad-card slots and `units` ad units. */
export async function publisherWithInventory(
  world: World,
  options: { slots: number; units: number; priceMicros: number; floorCpmMicros: number; category?: string },
) {
  const publisher = await signup(world.api, 'publisher');
  const account = await must(world, 'POST', '/v1/accounts', publisher.key, {
    platform: 'wechat',
    handle: `bench_${randomBytes(3).toString('hex')}`,
    name: 'Bench Daily',
    category: options.category ?? 'tech',
    description: 'benchmark account',
    audience: AUDIENCE,
  });
  const slots =
    options.slots === 0
      ? []
      : (
          await must(world, 'POST', `/v1/accounts/${account.id}/slots`, publisher.key, {
            from: '2031-01-01',
            to: isoDay(Date.parse('2031-01-01') + (options.slots - 1) * 86_400_000),
            weekdays: [0, 1, 2, 3, 4, 5, 6],
            position: 'headline',
            format: 'ad_card',
            committedReads: 15_000,
            priceMicros: options.priceMicros,
          })
        ).items;
  const units = [];
  for (let i = 0; i < options.units; i++) {
    units.push(
      await must(world, 'POST', `/v1/accounts/${account.id}/ad-units`, publisher.key, {
        placement: 'article_bottom',
        floorCpmMicros: options.floorCpmMicros,
        blockedCategories: [],
      }),
    );
  }
  return { publisher, account, slots: slots as { id: string }[], units: units as { id: string }[] };
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
