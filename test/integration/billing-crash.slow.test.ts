import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { inject, beforeAll, describe, expect, it } from 'vitest';
import { settleExpiredLeases } from '../../functions/app/billing/settle-leases.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { aMarket, anActiveCampaign, onUnit, type Market } from '../support/campaigns.js';
import { booksOf, expectSettled, tokensFor } from '../support/billing.js';
import { movableClock, TEST_SECRET, testDeps, type MovableClock } from '../support/deps.js';
import { BROWSER_UA } from '../support/http.js';
import { scanEntity } from '../support/table.js';

/**
 * Crash mid-traffic (issue 11): a real serve process (test/support/serve-child.ts) bills
 * impressions and is killed with SIGKILL while requests are in flight; a new one is started and
 * bills more; then the settlement job runs. Every event the journal says was billed reaches the
 * ledger exactly once, every lease is returned, the budget is exact and the ledger sums to zero.
 */

const CHARGE = 1_000;
let deps: Deps;
let market: Market;
let accessKey: string;

async function startServe(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/serve-child.ts'], {
    env: {
      ...process.env,
      TABLE_NAME: deps.config.TABLE_NAME,
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      TRACKING_SECRET: TEST_SECRET,
      SERVE_ACCESS_KEY: accessKey,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      SOURCE_CAMPAIGN_DAILY_LIMIT: '1000000',
      SOURCE_UNIT_HOURLY_LIMIT: '1000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!/PORT \d+/.test(out)) await once(child.stdout!, 'data');
  return { child, base: `http://127.0.0.1:${/PORT (\d+)/.exec(out)![1]}` };
}

beforeAll(async () => {
  // The serve process runs on the wall clock: so do the tokens this test signs and the settlement it runs.
  deps = await testDeps({ clock: movableClock(new Date()) });
  accessKey = (await deps.db.client.config.credentials()).accessKeyId;
  const app = createApp(deps);
  market = await aMarket(app, deps);
  (market as Market & { app: unknown }).app = app;
});

describe('a serve process killed mid-traffic', () => {
  it('loses no billed event and no budget: the settlement job posts the journal and returns the leases', async () => {
    const app = (market as Market & { app: ReturnType<typeof createApp> }).app;
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnit(market.unitId),
      budget: { totalMicros: 1_000 * CHARGE },
    });
    // All traffic comes from this test over loopback, with a browser's user agent: the source the serve process sees.
    const tokens = tokensFor(deps, market, id, market.unitId, 80, { charge: CHARGE, source: { address: '127.0.0.1', userAgent: BROWSER_UA } });

    const first = await startServe();
    // The decisions whose impression the server acknowledged (answered 200): each must end on the ledger once.
    const acknowledged: string[] = [];
    const inFlight = tokens.slice(0, 60).map(async (t, i) => {
      await new Promise((r) => setTimeout(r, i * 20));
      const res = await fetch(`${first.base}/t/i/${t.impression}`, { headers: { 'user-agent': BROWSER_UA } }).catch(() => undefined);
      if (res?.status === 200) acknowledged.push(t.decisionId);
    });
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await Promise.all(inFlight);
    const afterCrash = await booksOf(deps, id);
    expect(afterCrash.journalEvents).toBeGreaterThanOrEqual(20);
    expect(afterCrash.openLeases).toBeGreaterThan(0);

    const second = await startServe();
    for (const t of tokens.slice(60)) {
      expect((await fetch(`${second.base}/t/i/${t.impression}`, { headers: { 'user-agent': BROWSER_UA } })).status).toBe(200);
      acknowledged.push(t.decisionId);
    }
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');

    (deps.clock as MovableClock).advance((deps.config.LEASE_SECONDS + deps.config.LEASE_GRACE_SECONDS + 5) * 1000);
    await settleExpiredLeases(deps, deps.clock());
    const books = await expectSettled(deps, id);
    expect(books.journalEvents).toBeGreaterThanOrEqual(afterCrash.journalEvents + 20);
    // Every acknowledged event is in the journal as billed (the budget covers them all), so posted once (expectSettled).
    const billed = new Set((await scanEntity(deps, 'decisionEvent')).filter((e) => e.campaignId === id && e.billed).map((e) => e.decisionId as string));
    expect(acknowledged.filter((d) => !billed.has(d))).toEqual([]);
  }, 300_000);
});
