import { createRoute, z } from '@hono/zod-openapi';
import { hourKey, toCsv } from '../../core/serving/reports.js';
import { assertReportAccess, readReport } from '../../store/reports.js';
import { caller } from '../auth.js';
import { ReportQuerySchema, ReportSchema } from '../campaign-schemas.js';
import { access, errorResponses, jsonContent, router } from '../openapi.js';

const report = createRoute({
  method: 'get',
  path: '/v1/reports',
  tags: ['Reports'],
  summary: 'Delivery counters of a campaign (advertisers), an ad unit or an account (owners), by hour or day',
  description: 'Requests, fills, impressions, clicks, invalid events, CTR, spend, eCPM and eCPC, from counters kept as events happen. Hours are UTC.',
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
  await assertReportAccess(c.var.deps.db, caller(c), q.dimension, q.id);
  const { rows, totals } = await readReport(c.var.deps.db, q.dimension, q.id, hourKey(Date.parse(q.from)), hourKey(Date.parse(q.to)), q.granularity);
  if (q.format === 'csv') return c.body(toCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
  return c.json({ dimension: q.dimension, id: q.id, granularity: q.granularity, rows, totals }, 200);
});
