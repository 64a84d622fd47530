import { createRoute, z } from '@hono/zod-openapi';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { campaignStore } from '../../store/campaigns.js';
import { keys } from '../../store/keys.js';
import { getAccount, marketplaceStore } from '../../store/marketplace.js';
import { caller } from '../auth.js';
import { CreativeSchema } from '../campaign-schemas.js';
import { AccountSchema, IdParam, page } from '../marketplace-schemas.js';
import { bearerSecurity, errorResponses, jsonBody, jsonContent, PageQuery, router } from '../openapi.js';

const stats = createRoute({
  method: 'get',
  path: '/v1/admin/stats',
  tags: ['Admin'],
  summary: 'How many tenants, accounts, orders… exist (kept by the stream function; approximate)',
  security: bearerSecurity,
  responses: {
    200: jsonContent(z.object({ counts: z.record(z.string(), z.number()) }), 'Counts by entity'),
    401: errorResponses[401],
    403: errorResponses[403],
  },
});

const reviewRoute = (verdict: 'verify' | 'reject', body: z.ZodType, summary: string) =>
  createRoute({
    method: 'post',
    path: `/v1/admin/accounts/{id}/${verdict}`,
    tags: ['Admin'],
    summary,
    security: bearerSecurity,
    request: { params: IdParam, ...jsonBody(body) },
    responses: { 200: jsonContent(AccountSchema, 'The account'), 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404], 409: errorResponses[409] },
  });

const VerifyBody = z.object({ note: z.string().trim().max(1000).optional() }).openapi('AccountVerify');
const RejectBody = z.object({ reason: z.string().trim().min(1).max(1000) }).openapi('AccountReject');
const verify = reviewRoute('verify', VerifyBody, 'Mark an account’s audience data as verified');
const reject = reviewRoute('reject', RejectBody, 'Reject an account’s audience data: it stays self-reported, with the reason');

const operatorErrors = { 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403] };

const queueRoute = (queue: 'accounts' | 'creatives', schema: z.ZodType, summary: string) =>
  createRoute({
    method: 'get',
    path: `/v1/admin/queues/${queue}`,
    tags: ['Admin'],
    summary,
    security: bearerSecurity,
    request: { query: PageQuery },
    responses: { 200: jsonContent(page(schema), 'A page of the queue, longest waiting first'), ...operatorErrors },
  });
const accountQueue = queueRoute('accounts', AccountSchema, 'Accounts awaiting verification of their audience data');
const creativeQueue = queueRoute('creatives', CreativeSchema, 'Creatives awaiting review');

const readRoute = (what: 'accounts' | 'creatives', schema: z.ZodType, summary: string) =>
  createRoute({
    method: 'get',
    path: `/v1/admin/${what}/{id}`,
    tags: ['Admin'],
    summary,
    security: bearerSecurity,
    request: { params: IdParam },
    responses: { 200: jsonContent(schema, 'Found'), ...operatorErrors, 404: errorResponses[404] },
  });
const readAccount = readRoute('accounts', AccountSchema, 'Any account, whoever owns it');
const readCreative = readRoute('creatives', CreativeSchema, 'Any creative, whoever made it');

const reviews = (c: Parameters<typeof caller>[0]) => {
  caller(c, 'admin');
  const { db, clock, ids } = c.var.deps;
  return marketplaceStore(db, clock, ids);
};

const operator = (c: Parameters<typeof caller>[0]) => (caller(c, 'admin'), c.var.deps);

export const adminRoutes = router()
  .openapi(accountQueue, async (c) => c.json(await reviews(c).verificationQueue(c.req.valid('query')), 200))
  .openapi(creativeQueue, async (c) => c.json(await campaignStore(operator(c)).reviewQueue(c.req.valid('query')), 200))
  .openapi(readAccount, async (c) => c.json(await getAccount(operator(c).db, c.req.valid('param').id), 200))
  .openapi(readCreative, async (c) => c.json(await campaignStore(operator(c)).findCreative(c.req.valid('param').id), 200))
  .openapi(verify, async (c) => {
    const { note } = c.req.valid('json') as z.infer<typeof VerifyBody>;
    return c.json(await reviews(c).reviewAccount(c.req.valid('param').id, { verdict: 'verified', note }), 200);
  })
  .openapi(reject, async (c) => {
    const { reason } = c.req.valid('json') as z.infer<typeof RejectBody>;
    return c.json(await reviews(c).reviewAccount(c.req.valid('param').id, { verdict: 'rejected', reason }), 200);
  })
  .openapi(stats, async (c) => {
  caller(c, 'admin');
  const { db } = c.var.deps;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.stats() }));
  const counts = Object.fromEntries(
    Object.entries(out.Item ?? {})
      .filter(([name]) => name.startsWith('count_'))
      .map(([name, value]) => [name.slice('count_'.length), Number(value)]),
  );
  return c.json({ counts }, 200);
});
