import { createRoute, z } from '@hono/zod-openapi';
import { ruleInvalidTraffic } from '../../app/billing/rule-invalid-traffic.js';
import { rejectAccount } from '../../app/marketplace/reject-account.js';
import { reviewAccount } from '../../app/marketplace/review-account.js';
import type { Context } from 'hono';
import { campaignStore } from '../../store/campaigns.js';
import { getAccount, marketplaceStore } from '../../store/marketplace.js';
import { counts } from '../../store/system.js';
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

const reviewRoute = <B extends z.ZodType>(verdict: 'verify' | 'reject', body: B, summary: string) =>
  createRoute({
    method: 'post',
    path: `/v1/admin/accounts/{id}/${verdict}`,
    tags: ['Admin'],
    summary,
    ...access('admin'),
    request: { params: IdParam('acct'), ...jsonBody(body) },
    responses: {
      200: jsonContent(AccountSchema, 'The account'),
      400: errorResponses[400],
      401: errorResponses[401],
      403: errorResponses[403],
      404: errorResponses[404],
      409: errorResponses[409],
    },
  });

const VerifyBody = z.object({ note: z.string().trim().max(1000).optional() }).openapi('AccountVerify');
const RejectBody = z.object({ reason: z.string().trim().min(1).max(1000) }).openapi('AccountReject');
const verify = reviewRoute('verify', VerifyBody, 'Mark an account’s audience data as verified');
const reject = reviewRoute(
  'reject',
  RejectBody,
  'Reject an account’s audience data: it stays self-reported, with the reason; its uncleared programmatic earnings go back to the advertisers',
);

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

const RulingBody = z
  .object({
    adUnitId: z
      .string()
      .regex(/^unit_[0-9a-z]{1,40}$/)
      .optional()
      .openapi({ description: 'Rule all traffic of this ad unit in the range' }),
    fingerprint: z
      .string()
      .regex(/^[0-9A-Za-z_-]{1,128}$/)
      .optional()
      .openapi({ description: 'Rule the traffic of this source fingerprint in the range' }),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    reason: z.string().trim().min(1).max(200),
  })
  .refine((b) => (b.adUnitId === undefined) !== (b.fingerprint === undefined), { message: 'Give exactly one of adUnitId and fingerprint' })
  .refine((b) => Date.parse(b.from) <= Date.parse(b.to), { message: 'from must not be after to' })
  .openapi('InvalidTrafficRuling');

const ruling = createRoute({
  method: 'post',
  path: '/v1/admin/invalid-traffic',
  tags: ['Admin'],
  summary: 'Rule traffic of an ad unit or a source fingerprint in a time range invalid',
  description:
    'What that traffic billed and has not cleared yet goes back to the advertisers’ budgets (or available funds, when the campaign has closed), on the ledger, with lines naming the ruling. Cleared earnings are not taken back. Traffic still in an open budget lease (the last few minutes) is not covered yet.',
  ...access('admin'),
  request: jsonBody(RulingBody),
  responses: {
    200: jsonContent(z.object({ refundedMicros: z.number(), refunds: z.number() }).openapi('InvalidTrafficResult'), 'What was refunded'),
    400: errorResponses[400],
  },
});

export const adminRoutes = router()
  .openapi(ruling, async (c) => {
    return c.json(await ruleInvalidTraffic(c.var.deps, c.req.valid('json')), 200);
  })
  .openapi(accountQueue, async (c) => c.json(await paged(c, c.req.valid('query'), (page) => reviews(c).verificationQueue(page)), 200))
  .openapi(creativeQueue, async (c) => c.json(await paged(c, c.req.valid('query'), (page) => campaignStore(c.var.deps).reviewQueue(page)), 200))
  .openapi(readAccount, async (c) => c.json(await getAccount(c.var.deps.db, c.req.valid('param').id), 200))
  .openapi(readCreative, async (c) => c.json(await campaignStore(c.var.deps).findCreative(c.req.valid('param').id), 200))
  .openapi(verify, async (c) => {
    const { note } = c.req.valid('json');
    return c.json(await reviewAccount(c.var.deps, c.req.valid('param').id, { verdict: 'verified', note }), 200);
  })
  .openapi(reject, async (c) => {
    const { reason } = c.req.valid('json');
    return c.json((await rejectAccount(c.var.deps, c.req.valid('param').id, reason)).account, 200);
  })
  .openapi(stats, async (c) => c.json({ counts: await counts(c.var.deps.db) }, 200));
