import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { inject } from 'vitest';
import { createAdminKey } from '../../functions/app/tenants/api-keys.js';
import { parseConfig, type Config } from '../../functions/config.js';
import type { Clock } from '../../functions/core/shared/clock.js';
import { createDeps, type Deps } from '../../functions/deps.js';
import { createDb } from '../../functions/store/client.js';
import { ensureTable } from '../../functions/store/create-table.js';

export const TEST_SECRET = 'test-tracking-secret-0123456789abcdef0123456789';

/**
 * Dependencies over a database of this test's own: DynamoDB Local keeps one database per access
 * key id, so a fresh random id isolates test files (and tests) from each other.
 */
export async function testDeps(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<Deps> {
  // Tests deliver webhooks to receivers on 127.0.0.1, so they allow private networks unless a test turns it off;
  // decisions see what a test just changed once its clock has moved past the feed's interval (SERVE_STATE_MAX_AGE_SECONDS 0).
  const config: Config = parseConfig({
    TABLE_NAME: 'placard',
    TRACKING_SECRET: TEST_SECRET,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    SERVE_STATE_MAX_AGE_SECONDS: '0',
    ...options.env,
  });
  const accessKeyId = `test${randomBytes(8).toString('hex')}`;
  const db = createDb(config.TABLE_NAME, {
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  await ensureTable(db.client, db.tableName);
  return createDeps(config, {
    db,
    clock: options.clock ?? movableClock(),
    logger: new Logger({ serviceName: 'placard-test', logLevel: 'SILENT' }),
  });
}

export type MovableClock = Clock & { advance(ms: number): void; set(d: Date): void };

/**
 * The suite's clock starts at noon UTC of the day it runs (noon in the zones the tests use, UTC to
 * UTC+8, is the same date), then ticks with real time and can be moved: tests of deadlines advance
 * it instead of sleeping, and hours and days never roll over under a test that runs near midnight.
 */
export const TEST_START = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`);

export function movableClock(start: Date = TEST_START): MovableClock {
  let offset = start.getTime() - Date.now();
  const clock = (() => new Date(Date.now() + offset)) as MovableClock;
  clock.advance = (ms) => {
    offset += ms;
  };
  clock.set = (d) => {
    offset = d.getTime() - Date.now();
  };
  return clock;
}

/** An operator key, made the way `npm run admin -- create-key` makes one. */
export async function adminKey(deps: Deps): Promise<string> {
  return (await createAdminKey(deps)).key;
}
