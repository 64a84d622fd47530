import { createRoute, z } from '@hono/zod-openapi';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'hono';
import { campaignStore } from '../../store/campaigns.js';
import { keys } from '../../store/keys.js';
import { getAccount, marketplaceStore } from '../../store/marketplace.js';
import { CreativeSchema } from '../campaign-schemas.js';
import type { AppEnv } from '../env.js';
import { AccountSchema, page } from '../marketplace-schemas.js';
import { access, errorResponses, IdParam, jsonBody, jsonContent, PageQuery, router } from '../openapi.js';
import { paged } from '../pagination.js';

const stats = createRoute({
  method: 'get',
  path: '/v1/admin/stats',
  tags: ['Admin'],
  summary: 'How many tenants, accounts, orders… exist (kept by the stream function; approximate)',
  ...access('admin'),
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
    ...access('admin'),
    request: { params: IdParam('acct'), ...jsonBody(body) },
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
    ...access('admin'),
    request: { query: PageQuery },
    responses: { 200: jsonContent(page(schema), 'A page of the queue, longest waiting first'), ...operatorErrors },
  });
const accountQueue = queueRoute('accounts', AccountSchema, 'Accounts awaiting verification of their audience data');
const creativeQueue = queueRoute('creatives', CreativeSchema, 'Creatives awaiting review');

const readRoute = (what: 'accounts' | 'creatives', prefix: 'acct' | 'crv', schema: z.ZodType, summary: string) =>
  createRoute({
    method: 'get',
    path: `/v1/admin/${what}/{id}`,
    tags: ['Admin'],
    summary,
    ...access('admin'),
    request: { params: IdParam(prefix) },
    responses: { 200: jsonContent(schema, 'Found'), ...operatorErrors, 404: errorResponses[404] },
  });
const readAccount = readRoute('accounts', 'acct', AccountSchema, 'Any account, whoever owns it');
const readCreative = readRoute('creatives', 'crv', CreativeSchema, 'Any creative, whoever made it');

const reviews = (c: Context<AppEnv>) => {
  const { db, clock, ids } = c.var.deps;
  return marketplaceStore(db, clock, ids);
};

export const adminRoutes = router()
  .openapi(accountQueue, async (c) => c.json(await paged(c, c.req.valid('query'), (page) => reviews(c).verificationQueue(page)), 200))
  .openapi(creativeQueue, async (c) => c.json(await paged(c, c.req.valid('query'), (page) => campaignStore(c.var.deps).reviewQueue(page)), 200))
  .openapi(readAccount, async (c) => c.json(await getAccount(c.var.deps.db, c.req.valid('param').id), 200))
  .openapi(readCreative, async (c) => c.json(await campaignStore(c.var.deps).findCreative(c.req.valid('param').id), 200))
  .openapi(verify, async (c) => {
    const { note } = c.req.valid('json') as z.infer<typeof VerifyBody>;
    return c.json(await reviews(c).reviewAccount(c.req.valid('param').id, { verdict: 'verified', note }), 200);
  })
  .openapi(reject, async (c) => {
    const { reason } = c.req.valid('json') as z.infer<typeof RejectBody>;
    return c.json(await reviews(c).reviewAccount(c.req.valid('param').id, { verdict: 'rejected', reason }), 200);
  })
  .openapi(stats, async (c) => {
  const { db } = c.var.deps;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.stats() }));
  const counts = Object.fromEntries(
    Object.entries(out.Item ?? {})
      .filter(([name]) => name.startsWith('count_'))
      .map(([name, value]) => [name.slice('count_'.length), Number(value)]),
  );
  return c.json({ counts }, 200);
});
