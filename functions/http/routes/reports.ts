import { createRoute, z } from '@hono/zod-openapi';
import { readDeliveryReport } from '../../app/reports/read-report.js';
import { toCsv } from '../../core/serving/reports.js';
import { caller } from '../auth.js';
import { ReportQuerySchema, ReportSchema } from '../campaign-schemas.js';
import { access, errorResponses, router } from '../openapi.js';

const report = createRoute({
  method: 'get',
  path: '/v1/reports',
  tags: ['Reports'],
  summary: 'Delivery counters of a campaign (advertisers), an ad unit or an account (owners), or the platform (operators), by hour or day',
  description:
    'Requests, fills, impressions, clicks, invalid events (in all and by reason), CTR, spend, eCPM and eCPC, from counters kept as events happen. Hours are UTC. Ad units and accounts also show the owner’s earnings in the range, pending (clearing) vs cleared. Counters are flushed by each serve instance every few seconds: the last seconds may not show yet.',
  ...access(),
  request: { query: ReportQuerySchema },
  responses: {
    200: { description: 'The report', content: { 'application/json': { schema: ReportSchema }, 'text/csv': { schema: z.string() } } },
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export const reportRoutes = router().openapi(report, async (c) => {
  const q = c.req.valid('query');
  const { rows, totals, earnings } = await readDeliveryReport(c.var.deps, caller(c), q);
  if (q.format === 'csv') return c.body(toCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
  return c.json({ dimension: q.dimension, id: q.id, granularity: q.granularity, rows, totals, ...(earnings ? { earnings } : {}) }, 200);
});
