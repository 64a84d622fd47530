import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ORDER_ACTIONS, ORDER_ACTOR_ROLES, ORDER_STATES, type Order, type OrderAction } from '../../core/orders/order.js';
import { RESOLVE_OUTCOMES, allowedActions } from '../../core/orders/state-machine.js';
import { actOnOrder, readVisibleOrder } from '../../app/orders/act-on-order.js';
import { listOrders } from '../../app/orders/list-orders.js';
import { placeOrder } from '../../app/orders/place-order.js';
import { actorRole } from '../../core/orders/callers.js';
import { caller } from '../auth.js';
import type { AppEnv } from '../env.js';
import { page } from '../marketplace-schemas.js';
import { access, errorResponses, Id, IdParam, jsonBody, jsonContent, microsInput, PageQuery, problemContent, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Orders'];
const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000);
const Text = (max: number) => z.string().trim().min(1).max(max);

const BriefSchema = z.object({ title: Text(200), copy: Text(5000), landingUrl: HttpUrl, imageUrl: HttpUrl.optional() }).openapi('OrderBrief');

const PlaceOrderSchema = z.object({ slotId: Id('slot'), brief: BriefSchema }).openapi('PlaceOrder');

const ActorSchema = z.object({ role: z.enum(ORDER_ACTOR_ROLES), tenantId: z.string().optional() });

const OrderSchema = z
  .object({
    id: z.string(),
    advertiserId: z.string(),
    publisherId: z.string(),
    accountId: z.string(),
    slotId: z.string(),
    format: z.enum(['ad_card', 'custom_article']),
    committedReads: z.number().int().optional(),
    priceMicros: z.number().int(),
    currency: z.string(),
    feeBps: z.number().int().openapi({ description: 'Platform fee rate fixed when the order was made' }),
    state: z.enum(ORDER_STATES),
    brief: BriefSchema,
    draft: z.object({ content: z.string(), previewUrl: z.string().optional(), submittedAt: z.iso.datetime() }).optional(),
    proof: z.object({ postUrl: z.string(), publishedAt: z.iso.datetime(), reads: z.number().int().optional() }).optional(),
    disputeReason: z.string().optional(),
    deadlines: z.object({ respondBy: z.iso.datetime().optional(), reviewEndsAt: z.iso.datetime().optional() }),
    heldMicros: z.number().int().openapi({ description: 'Still held in escrow for this order' }),
    settlement: z
      .object({ refundedMicros: z.number().int(), capturedMicros: z.number().int(), ownerMicros: z.number().int(), feeMicros: z.number().int() })
      .optional(),
    timeline: z.array(
      z.object({
        at: z.iso.datetime(),
        actor: ActorSchema,
        action: z.string(),
        from: z.enum(ORDER_STATES).nullable(),
        to: z.enum(ORDER_STATES),
        note: z.string().optional(),
      }),
    ),
    allowedActions: z.array(z.enum(ORDER_ACTIONS)).openapi({ description: 'What the caller may do now' }),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Order');

const Note = z.object({ note: Text(2000).optional() });
const Reason = z.object({ reason: Text(2000).optional() });

/**
 * The actions a party takes with `POST /v1/orders/{id}/<action>`: the body each takes, whether it
 * may be left out, and who takes it. The state machine (core/orders) decides what is legal when.
 */
const ACTION_ROUTES: ReadonlyArray<{ action: Exclude<OrderAction, 'expire' | 'auto-complete'>; body: z.ZodObject; required: boolean; summary: string }> = [
  { action: 'accept', body: Note, required: false, summary: 'Owner: take the order (ad cards are scheduled at once; articles wait for a draft)' },
  { action: 'reject', body: Reason, required: false, summary: 'Owner: turn the order down; the hold goes back to the advertiser and the slot reopens' },
  {
    action: 'submit-draft',
    body: z.object({ content: Text(50_000), previewUrl: HttpUrl.optional() }),
    required: true,
    summary: 'Owner: submit the custom article’s draft for approval',
  },
  { action: 'approve', body: Note, required: false, summary: 'Advertiser: approve the draft; the order is scheduled' },
  { action: 'request-changes', body: Note, required: false, summary: 'Advertiser: send the draft back with notes' },
  {
    action: 'publish',
    body: z.object({
      postUrl: HttpUrl,
      publishedAt: z.iso.datetime({ offset: true }),
      reads: z.number().int().min(0).optional().openapi({ description: 'Required for ad cards: reads at the time of proof' }),
    }),
    required: true,
    summary: 'Owner: proof of publication; the review window starts',
  },
  { action: 'confirm', body: Note, required: false, summary: 'Advertiser: confirm delivery; the owner is paid' },
  { action: 'dispute', body: z.object({ reason: Text(2000) }), required: true, summary: 'Advertiser: dispute the delivery, within the review window' },
  { action: 'cancel', body: Reason, required: false, summary: 'Advertiser: withdraw the request before the owner accepts; the hold is released' },
  {
    action: 'resolve',
    body: z.object({ outcome: z.enum(RESOLVE_OUTCOMES), refundMicros: microsInput('The part of the price to refund').optional(), note: Text(2000).optional() }),
    required: true,
    summary: 'Operator: settle a dispute — pay the owner, refund the advertiser, or refund part',
  },
];

const orderResponses = { 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] };

const place = createRoute({
  method: 'post',
  path: '/v1/orders',
  tags,
  summary: 'Book a slot: holds its price and books it, atomically',
  ...access('advertiser'),
  request: jsonBody(PlaceOrderSchema),
  responses: {
    201: jsonContent(OrderSchema, 'Booked; the price is held'),
    ...orderResponses,
    402: problemContent('Available funds do not cover the price'),
    409: problemContent('The slot is not open: booked, closed, or dated before today in the market’s time zone'),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/orders',
  tags,
  summary: 'My orders (as advertiser or publisher) newest first, optionally in one state; for operators, the disputes to resolve',
  ...access(),
  request: { query: PageQuery.extend({ state: z.enum(ORDER_STATES).optional() }) },
  responses: { 200: jsonContent(page(OrderSchema), 'A page of orders'), ...orderResponses },
});

const get = createRoute({
  method: 'get',
  path: '/v1/orders/{id}',
  tags,
  summary: 'An order with its full timeline and what the caller may do next',
  ...access(),
  request: { params: IdParam('ord') },
  responses: { 200: jsonContent(OrderSchema, 'The order'), ...orderResponses },
});

const actionRoute = (a: (typeof ACTION_ROUTES)[number]) =>
  createRoute({
    method: 'post',
    path: `/v1/orders/{id}/${a.action}`,
    tags,
    summary: a.summary,
    ...access(),
    request: { params: IdParam('ord'), body: { content: { 'application/json': { schema: a.body } }, required: a.required } },
    responses: {
      200: jsonContent(OrderSchema, 'The order after the action'),
      ...orderResponses,
      409: problemContent('Not allowed in the current state (`state` and `allowedActions` say what is) or past a deadline'),
    },
  });

/** The order as the caller sees it: with the actions open to them now. */
const view = (c: Context<AppEnv>, order: Order) => ({ ...order, allowedActions: allowedActions(order, actorRole(caller(c).role), c.var.deps.clock()) });

export const orderRoutes = router()
  .openapi(place, async (c) => c.json(view(c, await placeOrder(c.var.deps, caller(c).tenantId, c.req.valid('json'))), 201))
  .openapi(list, async (c) => {
    const out = await paged(c, c.req.valid('query'), ({ state, ...page }) => listOrders(c.var.deps, caller(c), { state }, page));
    return c.json({ ...out, items: out.items.map((o) => view(c, o)) }, 200);
  })
  .openapi(get, async (c) => c.json(view(c, await readVisibleOrder(c.var.deps, caller(c), c.req.valid('param').id)), 200));

for (const a of ACTION_ROUTES) {
  orderRoutes.openapi(actionRoute(a), async (c) => {
    const order = await actOnOrder(c.var.deps, caller(c), c.req.valid('param').id, a.action, c.req.valid('json') as never);
    return c.json(view(c, order), 200);
  });
}
