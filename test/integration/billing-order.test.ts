import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServeEngine } from '../../functions/app/serving/serve-engine.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { getItem } from '../../functions/store/items.js';
import { keys } from '../../functions/store/keys.js';
import { aMarket, anActiveCampaign, aUnit, onUnit, type Market } from '../support/campaigns.js';
import { expectSettled, settleAll, tokensFor } from '../support/billing.js';
import { crashAfterFirst } from '../support/crash.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { BROWSER_UA } from '../support/http.js';

/**
 * The order of an event's writes (store/journal.ts): its counters (the viewer's cap, the
 * source's limits) are single conditional updates made before the journal item, not one
 * transaction with it. A process that dies between them leaves a count without a bill: the viewer or source reaches its limit early, and no money moves. The oracle
 * is the rules themselves (never more billed than the limit or the cap) and the table's books:
 * what the journal billed is what the ledger posted, and the budget is its total less that.
 */

const CHARGE = 1_000;
const LIMIT = 3;
let deps: Deps;
let app: ReturnType<typeof createApp>;
let market: Market;

const clock = () => deps.clock as MovableClock;

/** A serve instance over the same table whose process dies right after its first UpdateItem reached DynamoDB. */
const dyingAtFirstUpdate = (): ServeEngine => new ServeEngine({ ...deps, db: crashAfterFirst(deps.db, UpdateCommand) });

beforeAll(async () => {
  deps = await testDeps({ env: { SOURCE_CAMPAIGN_DAILY_LIMIT: String(LIMIT), COUNTER_FLUSH_MS: String(24 * 3_600_000) } });
  app = createApp(deps);
  market = await aMarket(app, deps);
});

describe('the order of an event’s writes', { timeout: 300_000 }, () => {
  it('bills nothing for an event whose process died after its source count: its retry and replays bill once, never past the limit, and the ledger equals the journal', async () => {
    const unit = await aUnit(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, { targeting: onUnit(unit), budget: { totalMicros: 100 * CHARGE } });
    const source = { address: '10.9.8.7', userAgent: BROWSER_UA };
    const tokens = tokensFor(deps, market, id, unit, 4, { charge: CHARGE, source });

    // The source's count for the campaign is written; the journal item never is.
    await expect(dyingAtFirstUpdate().track(tokens[0]!.impression, 'i', source)).rejects.toThrow();
    expect(await getItem(deps.db, keys.journalEvent(tokens[0]!.fingerprint, tokens[0]!.decisionId, 'IMP'), { consistent: true })).toBeUndefined();
    const counted = async () =>
      (
        await getItem<Record<string, number>>(deps.db, keys.sourceLimits(tokens[0]!.fingerprint, deps.clock().toISOString().slice(0, 10)), { consistent: true })
      )?.[`c#${id}`];
    expect(await counted()).toBe(1);

    // The page retries on another instance: billed once; its replays bill nothing.
    const engine = new ServeEngine(deps);
    expect((await engine.track(tokens[0]!.impression, 'i', source)).outcome).toBe('billed');
    expect((await engine.track(tokens[0]!.impression, 'i', source)).outcome).toBe('replay');
    // A replay found by its read counts nothing: the lost count and the retry's, no more.
    expect(await counted()).toBe(2);
    const outcomes = [];
    for (const t of tokens.slice(1)) outcomes.push((await engine.track(t.impression, 'i', source)).outcome);
    // Every billed event was counted under the limit before it was written, so the lost count only
    // brings the limit earlier: fewer than LIMIT billed, never more.
    const billed = 1 + outcomes.filter((o) => o === 'billed').length;
    expect(billed).toBeLessThanOrEqual(LIMIT);
    expect(await counted()).toBe(LIMIT);
    expect(outcomes.every((o) => o === 'billed' || o === 'over_limit')).toBe(true);

    await engine.stop();
    await settleAll(deps); // the dead instance's lease: nothing of it billed, all of it returned
    const books = await expectSettled(deps, id);
    expect(books.journalEvents).toBe(billed);
    expect(books.journalMicros).toBe(billed * CHARGE);
  });

  it('bills a capped viewer at most the cap when a process died after the viewer’s count, and the ledger equals the journal', async () => {
    const unit = await aUnit(app, market);
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      targeting: onUnit(unit),
      budget: { totalMicros: 100 * CHARGE },
      frequencyCap: { impressions: 2, perHours: 24 },
    });
    clock().advance(1_100); // past the campaign feed's refresh interval
    const tokens = tokensFor(deps, market, id, unit, 3, { charge: CHARGE, viewer: () => 'capped-viewer-order' });

    await expect(dyingAtFirstUpdate().track(tokens[0]!.impression, 'i', tokens[0]!.source)).rejects.toThrow();
    const engine = new ServeEngine(deps);
    const outcomes = [];
    for (const t of tokens) outcomes.push((await engine.track(t.impression, 'i', t.source)).outcome);
    // The lost count holds the viewer to the cap one impression early: the retry bills, the next refused.
    expect(outcomes).toEqual(['billed', 'cap', 'cap']);
    await engine.stop();
    await settleAll(deps);
    const books = await expectSettled(deps, id);
    expect(books.journalEvents).toBe(1);
    expect(books.journalMicros).toBe(CHARGE);
  });
});
