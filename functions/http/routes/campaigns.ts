import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { withBudget } from '../../app/campaigns/with-budget.js';
import { budgetProgress, type Campaign } from '../../core/campaigns/campaign.js';
import { ValidationError } from '../../core/shared/errors.js';
import { campaignAction } from '../../app/campaigns/campaign-actions.js';
import { createCampaign } from '../../app/campaigns/create-campaign.js';
import { addCreative as addCreativeTo, editCreative as editCreativeOf, reviewCreative } from '../../app/campaigns/creatives.js';
import { topUpCampaign } from '../../app/campaigns/top-up-campaign.js';
import { updateCampaign } from '../../app/campaigns/update-campaign.js';
import { campaignStore } from '../../store/campaigns.js';
import { caller } from '../auth.js';
import { CreativeRejection } from '../../core/campaigns/inputs.js';
import {
  CampaignInputSchema,
  CampaignPatchSchema,
  CampaignSchema,
  CampaignTopUpSchema,
  CreativeInputSchema,
  CreativePatchSchema,
  CreativeSchema,
} from '../campaign-schemas.js';
import type { AppEnv } from '../env.js';
import { page } from '../marketplace-schemas.js';
import { access, errorResponses, Id, IdParam, jsonBody, jsonContent, PageQuery, problemContent, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Campaigns'];
const errors = { 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] };
const CreativeParams = z.object({ id: Id('cmp'), creativeId: Id('crv') });

const common = { tags, ...access('advertiser') };
const create = createRoute({
  ...common,
  method: 'post',
  path: '/v1/campaigns',
  summary: 'Create a campaign (draft)',
  request: jsonBody(CampaignInputSchema),
  responses: { 201: jsonContent(CampaignSchema, 'Created'), ...errors },
});
const list = createRoute({
  ...common,
  method: 'get',
  path: '/v1/campaigns',
  summary: 'The advertiser’s campaigns, newest first',
  request: { query: PageQuery },
  responses: { 200: jsonContent(page(CampaignSchema), 'A page of campaigns'), ...errors },
});
const get = createRoute({
  ...common,
  method: 'get',
  path: '/v1/campaigns/{id}',
  summary: 'One campaign',
  request: { params: IdParam('cmp') },
  responses: { 200: jsonContent(CampaignSchema, 'The campaign'), ...errors },
});
const update = createRoute({
  ...common,
  method: 'patch',
  path: '/v1/campaigns/{id}',
  summary: 'Change a campaign; the total budget only in draft',
  request: { params: IdParam('cmp'), ...jsonBody(CampaignPatchSchema) },
  responses: { 200: jsonContent(CampaignSchema, 'The changed campaign'), ...errors, 409: errorResponses[409] },
});

const ACTIONS = {
  activate: 'Start serving: needs an approved creative; the first activation holds the total budget (402 without the funds)',
  pause: 'Stop serving; the budget stays held',
  archive: 'Stop for good and release the unspent budget',
} as const;

const actionRoute = (action: keyof typeof ACTIONS) =>
  createRoute({
    ...common,
    method: 'post',
    path: `/v1/campaigns/{id}/${action}`,
    summary: ACTIONS[action],
    request: { params: IdParam('cmp') },
    responses: {
      200: jsonContent(CampaignSchema, 'The campaign'),
      ...errors,
      402: problemContent('The available balance does not cover the budget'),
      409: errorResponses[409],
    },
  });

const topUp = createRoute({
  ...common,
  method: 'post',
  path: '/v1/campaigns/{id}/top-up',
  summary:
    'Add to an activated campaign’s budget: the amount is held from the available balance; a campaign whose budget was spent serves again (needs an Idempotency-Key)',
  request: {
    params: IdParam('cmp'),
    headers: z.object({ 'idempotency-key': z.string().optional().openapi({ description: 'Required' }) }),
    ...jsonBody(CampaignTopUpSchema),
  },
  responses: {
    200: jsonContent(CampaignSchema, 'The campaign with its new budget'),
    ...errors,
    402: problemContent('The available balance does not cover the amount'),
    409: problemContent('The campaign is a draft, ended or archived'),
  },
});

const addCreative = createRoute({
  ...common,
  method: 'post',
  path: '/v1/campaigns/{id}/creatives',
  summary: 'Add a creative; it serves once an operator approves it',
  request: { params: IdParam('cmp'), ...jsonBody(CreativeInputSchema) },
  responses: { 201: jsonContent(CreativeSchema, 'Created, pending review'), ...errors, 409: errorResponses[409] },
});
const listCreatives = createRoute({
  ...common,
  method: 'get',
  path: '/v1/campaigns/{id}/creatives',
  summary: 'A campaign’s creatives',
  request: { params: IdParam('cmp') },
  responses: { 200: jsonContent(z.object({ items: z.array(CreativeSchema) }), 'Creatives'), ...errors },
});
const editCreative = createRoute({
  ...common,
  method: 'patch',
  path: '/v1/campaigns/{id}/creatives/{creativeId}',
  summary: 'Edit a creative: it goes back to review',
  request: { params: CreativeParams, ...jsonBody(CreativePatchSchema) },
  responses: { 200: jsonContent(CreativeSchema, 'The creative, pending review'), ...errors, 409: errorResponses[409] },
});

const reviewRoute = <B extends z.ZodObject>(verdict: 'approve' | 'reject', body: B) =>
  createRoute({
    method: 'post',
    path: `/v1/admin/creatives/{id}/${verdict}`,
    tags: ['Admin'],
    summary: verdict === 'approve' ? 'Approve a creative: its campaign can serve it' : 'Reject a creative, with the reason',
    ...access('admin'),
    request: { params: IdParam('crv'), ...jsonBody(body) },
    responses: { 200: jsonContent(CreativeSchema, 'The creative'), ...errors, 409: errorResponses[409] },
  });

/** One campaign with its spend and what is left. */
const shown = async (c: Context<AppEnv>, campaign: Campaign) => (await withBudget(c.var.deps, [campaign]))[0]!;

const store = (c: Context<AppEnv>) => campaignStore(c.var.deps);
const me = (c: Context<AppEnv>) => caller(c).tenantId;

export const campaignRoutes = router()
  .openapi(create, async (c) => c.json(await shown(c, await createCampaign(c.var.deps, me(c), c.req.valid('json'))), 201))
  .openapi(list, async (c) => {
    const out = await paged(c, c.req.valid('query'), (page) => store(c).list(me(c), page));
    return c.json({ ...out, items: await withBudget(c.var.deps, out.items) }, 200);
  })
  .openapi(get, async (c) => c.json(await shown(c, await store(c).get(me(c), c.req.valid('param').id)), 200))
  .openapi(update, async (c) => c.json(await shown(c, await updateCampaign(c.var.deps, me(c), c.req.valid('param').id, c.req.valid('json'))), 200))
  .openapi(topUp, async (c) => {
    if (!c.req.valid('header')['idempotency-key'])
      throw new ValidationError('A top-up needs an Idempotency-Key', [
        { field: 'Idempotency-Key', message: 'is required: a retry with the same key tops up once' },
      ]);
    const { campaign, held } = await topUpCampaign(c.var.deps, me(c), c.req.valid('param').id, c.req.valid('json').amountMicros);
    return c.json({ ...campaign, ...budgetProgress(campaign, held) }, 200);
  })
  .openapi(addCreative, async (c) => c.json(await addCreativeTo(c.var.deps, me(c), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(listCreatives, async (c) => c.json({ items: await store(c).listCreatives(me(c), c.req.valid('param').id) }, 200))
  .openapi(editCreative, async (c) => {
    const { id, creativeId } = c.req.valid('param');
    return c.json(await editCreativeOf(c.var.deps, me(c), id, creativeId, c.req.valid('json')), 200);
  })
  .openapi(reviewRoute('approve', z.object({}).openapi('CreativeApprove')), async (c) =>
    c.json(await reviewCreative(c.var.deps, c.req.valid('param').id, { status: 'approved' }), 200),
  )
  .openapi(reviewRoute('reject', CreativeRejection.meta({ id: 'CreativeReject' })), async (c) => {
    const { reason } = c.req.valid('json');
    return c.json(await reviewCreative(c.var.deps, c.req.valid('param').id, { status: 'rejected', reason }), 200);
  });

for (const action of Object.keys(ACTIONS) as (keyof typeof ACTIONS)[]) {
  campaignRoutes.openapi(actionRoute(action), async (c) => {
    return c.json(await shown(c, await campaignAction(c.var.deps, action, caller(c).tenantId, c.req.valid('param').id)), 200);
  });
}
