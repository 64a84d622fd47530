import { createRoute, z } from '@hono/zod-openapi';
import { requestPayout as request, settlePayout } from '../../app/money/payouts.js';
import { PAYOUT_STATUSES } from '../../core/ledger/payouts.js';
import { payoutStore } from '../../store/payouts.js';
import { caller } from '../auth.js';
import type { AppEnv } from '../env.js';
import type { Context } from 'hono';
import { page } from '../marketplace-schemas.js';
import { access, errorResponses, IdParam, jsonBody, jsonContent, microsInput, PageQuery, problemContent, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Money'];

const PayoutSchema = z
  .object({
    id: z.string(),
    publisherId: z.string(),
    amountMicros: z.number().int(),
    currency: z.string(),
    status: z.enum(PAYOUT_STATUSES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Payout');

const requestPayout = createRoute({
  method: 'post',
  path: '/v1/payouts',
  tags,
  summary: 'Withdraw earnings: moves the amount from earned to pendingPayout until the operator pays it',
  ...access('publisher'),
  request: jsonBody(z.object({ amountMicros: microsInput('The amount to withdraw from earnings') }).openapi('PayoutInput')),
  responses: {
    201: jsonContent(PayoutSchema, 'Requested'),
    400: errorResponses[400],
    401: errorResponses[401],
    402: problemContent('Earnings do not cover the amount'),
    403: errorResponses[403],
  },
});

const listPayouts = createRoute({
  method: 'get',
  path: '/v1/payouts',
  tags,
  summary: 'The publisher’s payouts, newest first',
  ...access('publisher'),
  request: { query: PageQuery },
  responses: { 200: jsonContent(page(PayoutSchema), 'Payouts'), 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403] },
});

const getPayout = createRoute({
  method: 'get',
  path: '/v1/payouts/{id}',
  tags,
  summary: 'One payout: a publisher’s own, any for an operator',
  ...access('publisher', 'admin'),
  request: { params: IdParam('pay') },
  responses: { 200: jsonContent(PayoutSchema, 'The payout'), 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] },
});

const adminList = createRoute({
  method: 'get',
  path: '/v1/admin/payouts',
  tags: ['Admin', ...tags],
  summary: 'Every publisher’s payouts in one status (requested: the ones to pay), newest first',
  ...access('admin'),
  request: { query: PageQuery.extend({ status: z.enum(PAYOUT_STATUSES).default('requested') }) },
  responses: { 200: jsonContent(page(PayoutSchema), 'Payouts'), 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403] },
});

const settleRoute = (outcome: 'paid' | 'failed', summary: string) =>
  createRoute({
    method: 'post',
    path: `/v1/admin/payouts/{id}/${outcome}`,
    tags: ['Admin', ...tags],
    summary,
    ...access('admin'),
    request: { params: IdParam('pay') },
    responses: {
      200: jsonContent(PayoutSchema, 'The payout'),
      401: errorResponses[401],
      403: errorResponses[403],
      404: errorResponses[404],
      409: problemContent('The payout is not requested any more'),
    },
  });

const paid = settleRoute('paid', 'Mark a requested payout paid: pendingPayout → paid');
const failed = settleRoute('failed', 'Mark a requested payout failed: the money goes back to earned');

const payouts = (c: Context<AppEnv>) => payoutStore(c.var.deps);

export const payoutRoutes = router()
  .openapi(requestPayout, async (c) => c.json(await request(c.var.deps, caller(c).tenantId, c.req.valid('json').amountMicros), 201))
  .openapi(listPayouts, async (c) => c.json(await paged(c, c.req.valid('query'), (page) => payouts(c).listForPublisher(caller(c).tenantId, page)), 200))
  .openapi(getPayout, async (c) => {
    const { tenantId, role } = caller(c);
    return c.json(await payouts(c).get(role === 'admin' ? undefined : tenantId, c.req.valid('param').id), 200);
  })
  .openapi(adminList, async (c) => {
    return c.json(await paged(c, c.req.valid('query'), ({ status, ...page }) => payouts(c).listByStatus(status, page)), 200);
  })
  .openapi(paid, async (c) => {
    return c.json(await settlePayout(c.var.deps, c.req.valid('param').id, 'paid'), 200);
  })
  .openapi(failed, async (c) => {
    return c.json(await settlePayout(c.var.deps, c.req.valid('param').id, 'failed'), 200);
  });
