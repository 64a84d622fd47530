import { describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/http/app.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import { keys } from '../../functions/store/keys.js';
import { aMarket, anActiveCampaign, track } from '../support/campaigns.js';
import { movableClock, testDeps } from '../support/deps.js';
import { call } from '../support/http.js';

describe('pacing through the real decision and tracking path', () => {
  it('spreads a daily budget evenly: each hour spends within ±15 % of 1/24, under steady traffic', async () => {
    const clock = movableClock();
    clock.set(new Date('2030-06-03T00:00:00Z'));
    // Leases an hour long: the simulated day moves a minute per request, past a default lease's life.
    // One browser sends everything: the per-source billing limits are lifted (billing-rules.test.ts tests them).
    const deps = await testDeps({ clock, env: { LEASE_SECONDS: '3600', SOURCE_CAMPAIGN_DAILY_LIMIT: '1000000', SOURCE_UNIT_HOURLY_LIMIT: '1000000' } });
    const app = createApp(deps);
    const serve = createServeApp(deps);
    const market = await aMarket(app, deps);
    clock.set(new Date('2030-06-03T00:00:00Z'));
    const charge = 1_000; // alone on the unit: the floor, 1 000 000 per mille
    const perHour = 30;
    const id = await anActiveCampaign(app, deps, market.advertiser, market.admin, {
      budget: { totalMicros: 100 * 24 * perHour * charge, dailyMicros: 24 * perHour * charge },
      schedule: { start: '2030-06-01T00:00:00Z', end: '2030-06-10T00:00:00Z', timezone: 'UTC' },
      targeting: [[{ attribute: 'adUnitId', op: 'in', values: [market.unitId] }]],
    });
    clock.set(new Date('2030-06-03T00:00:01Z'));

    // Twice the traffic the budget can pay for: one request a minute, each shown at once.
    for (let minute = 0; minute < 24 * 60; minute++) {
      clock.set(new Date(Date.parse('2030-06-03T00:00:01Z') + minute * 60_000));
      const { body } = await call(serve, 'POST', '/v1/decisions', { body: { adUnitId: market.unitId, viewer: { id: `v${minute}` } } });
      if ('ad' in body && body.ad) await track(deps, serve, body.ad.impressionUrl);
    }

    await serveEngine(deps).flush();
    const out = await deps.db.doc.send(
      new QueryCommand({
        TableName: deps.db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
        ExpressionAttributeValues: { ':pk': keys.reportPartition('campaign', id), ':day': '2030-06-03T' },
      }),
    );
    const spend = new Map((out.Items ?? []).map((i) => [i.sk as string, i.spendMicros as number]));
    const even = perHour * charge;
    for (let h = 0; h < 24; h++) {
      const hour = `2030-06-03T${String(h).padStart(2, '0')}`;
      expect(spend.get(hour) ?? 0, hour).toBeGreaterThanOrEqual(even * 0.85);
      expect(spend.get(hour) ?? 0, hour).toBeLessThanOrEqual(even * 1.15);
    }
  }, 900_000);
});
