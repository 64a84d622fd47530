import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { WEBHOOK_EVENTS } from '../../core/webhooks/webhooks.js';
import { createWebhook } from '../../app/webhooks/create-webhook.js';
import { webhookStore } from '../../store/webhooks.js';
import { caller } from '../auth.js';
import { carriesSecret } from '../idempotency.js';
import type { AppEnv } from '../env.js';
import { page } from '../marketplace-schemas.js';
import { access, errorResponses, IdParam, jsonBody, jsonContent, PageQuery, problemContent, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Webhooks'];

const WebhookInput = z
  .object({
    url: z.string().max(2000).openapi({ description: 'https (plain http only to localhost on dev/test stages)', example: 'https://example.com/placard-hooks' }),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
  })
  .openapi('WebhookInput');

const WebhookSchema = z
  .object({ id: z.string(), tenantId: z.string(), url: z.string(), events: z.array(z.enum(WEBHOOK_EVENTS)), createdAt: z.iso.datetime() })
  .openapi('Webhook');
const NewWebhookSchema = WebhookSchema.extend({
  secret: z.string().openapi({ description: 'The signing secret (whsec_…): shown once, on create. Verify deliveries with any Standard Webhooks library.' }),
}).openapi('NewWebhook');

const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'Also the webhook-id header of every attempt' }),
    webhookId: z.string(),
    tenantId: z.string(),
    event: z.enum(WEBHOOK_EVENTS),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastStatus: z.number().int().optional().openapi({ description: 'HTTP status of the last attempt' }),
    lastError: z.string().optional(),
    createdAt: z.iso.datetime(),
    lastAttemptAt: z.iso.datetime().optional(),
    nextAttemptAt: z.iso.datetime().optional(),
    deliveredAt: z.iso.datetime().optional(),
  })
  .openapi('WebhookDelivery');

const create = createRoute({
  method: 'post',
  path: '/v1/webhooks',
  tags,
  summary: 'Subscribe a URL to order and payout events; returns the signing secret once',
  ...access('advertiser', 'publisher'),
  request: jsonBody(WebhookInput),
  responses: {
    201: jsonContent(NewWebhookSchema, 'Created'),
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    409: problemContent(
      'At the cap of webhooks per tenant; or a replay of a creation with the same Idempotency-Key, which names the webhook (`created`) without its secret',
    ),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/webhooks',
  tags,
  summary: 'The tenant’s webhooks (never their secrets)',
  ...access('advertiser', 'publisher'),
  request: { query: PageQuery },
  responses: { 200: jsonContent(page(WebhookSchema), 'Webhooks'), 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403] },
});

const get = createRoute({
  method: 'get',
  path: '/v1/webhooks/{id}',
  tags,
  summary: 'One of the tenant’s webhooks (never its secret)',
  ...access('advertiser', 'publisher'),
  request: { params: IdParam('whk') },
  responses: { 200: jsonContent(WebhookSchema, 'The webhook'), 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  tags,
  summary: 'Delete a webhook; pending deliveries to it are given up',
  ...access('advertiser', 'publisher'),
  request: { params: IdParam('whk') },
  responses: { 204: { description: 'Deleted' }, 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] },
});

const deliveries = createRoute({
  method: 'get',
  path: '/v1/webhooks/{id}/deliveries',
  tags,
  summary: 'Deliveries to a webhook, newest first: status, attempts, last HTTP status, next attempt',
  ...access('advertiser', 'publisher'),
  request: { params: IdParam('whk'), query: PageQuery },
  responses: {
    200: jsonContent(page(DeliverySchema), 'Deliveries'),
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

/** Webhooks belong to advertisers and publishers: the parties events are about. */
const owner = (c: Context<AppEnv>) => caller(c).tenantId;
const webhooks = (c: Context<AppEnv>) => webhookStore(c.var.deps);

export const webhookRoutes = router()
  .openapi(create, async (c) => {
    const { webhook, secret } = await createWebhook(c.var.deps, owner(c), c.req.valid('json'));
    carriesSecret(c, webhook.id);
    return c.json({ ...webhook, secret }, 201);
  })
  .openapi(list, async (c) => {
    return c.json(await paged(c, c.req.valid('query'), (page) => webhooks(c).list(owner(c), page)), 200);
  })
  .openapi(get, async (c) => c.json(await webhooks(c).get(owner(c), c.req.valid('param').id), 200))
  .openapi(remove, async (c) => {
    await webhooks(c).delete(owner(c), c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(deliveries, async (c) => {
    return c.json(await paged(c, c.req.valid('query'), (page) => webhooks(c).listDeliveries(owner(c), c.req.valid('param').id, page)), 200);
  });
