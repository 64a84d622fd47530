import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ORDER_ACTIONS, ORDER_ACTOR_ROLES, ORDER_STATES, type Order, type OrderAction } from '../../core/orders/order.js';
import { ACTION_INPUTS, OrderBriefInput, type ActionInputs } from '../../core/orders/inputs.js';
import { allowedActions } from '../../core/orders/state-machine.js';
import { actOnOrder, readVisibleOrder } from '../../app/orders/act-on-order.js';
import { listOrders } from '../../app/orders/list-orders.js';
import { placeOrder } from '../../app/orders/place-order.js';
import { actorRole } from '../../core/orders/callers.js';
import { caller } from '../auth.js';
import type { AppEnv } from '../env.js';
import { page } from '../marketplace-schemas.js';
import { access, errorResponses, Id, IdParam, jsonBody, jsonContent, PageQuery, problemContent, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Orders'];
const BriefSchema = OrderBriefInput.meta({ id: 'OrderBrief' });

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

type PartyAction = Exclude<OrderAction, 'expire' | 'auto-complete'>;

/**
 * The actions a party takes with `POST /v1/orders/{id}/<action>`: whether the body (its schema is
 * the core's) may be left out, and who takes it. The state machine (core/orders) decides what is
 * legal when.
 */
const ACTION_ROUTES: { [A in PartyAction]: { required: boolean; summary: string } } = {
  accept: { required: false, summary: 'Owner: take the order (ad cards are scheduled at once; articles wait for a draft)' },
  reject: { required: false, summary: 'Owner: turn the order down; the hold goes back to the advertiser and the slot reopens' },
  'submit-draft': { required: true, summary: 'Owner: submit the custom article’s draft for approval' },
  approve: { required: false, summary: 'Advertiser: approve the draft; the order is scheduled' },
  'request-changes': { required: false, summary: 'Advertiser: send the draft back with notes' },
  publish: { required: true, summary: 'Owner: proof of publication; the review window starts' },
  confirm: { required: false, summary: 'Advertiser: confirm delivery; the owner is paid' },
  dispute: { required: true, summary: 'Advertiser: dispute the delivery, within the review window' },
  cancel: { required: false, summary: 'Advertiser: withdraw the request before the owner accepts; the hold is released' },
  resolve: { required: true, summary: 'Operator: settle a dispute — pay the owner, refund the advertiser, or refund part' },
};

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

const actionRoute = <A extends PartyAction>(action: A) =>
  createRoute({
    method: 'post',
    path: `/v1/orders/{id}/${action}`,
    tags,
    summary: ACTION_ROUTES[action].summary,
    ...access(),
    request: { params: IdParam('ord'), body: { content: { 'application/json': { schema: ACTION_INPUTS[action] } }, required: ACTION_ROUTES[action].required } },
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

/** Takes one action on the caller's order and answers the order as they now see it. */
const act = async <A extends PartyAction>(c: Context<AppEnv>, action: A, id: string, input: ActionInputs[A] | undefined) =>
  c.json(view(c, await actOnOrder(c.var.deps, caller(c), id, action, input)), 200);

orderRoutes
  .openapi(actionRoute('accept'), (c) => act(c, 'accept', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('reject'), (c) => act(c, 'reject', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('submit-draft'), (c) => act(c, 'submit-draft', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('approve'), (c) => act(c, 'approve', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('request-changes'), (c) => act(c, 'request-changes', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('publish'), (c) => act(c, 'publish', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('confirm'), (c) => act(c, 'confirm', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('dispute'), (c) => act(c, 'dispute', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('cancel'), (c) => act(c, 'cancel', c.req.valid('param').id, c.req.valid('json')))
  .openapi(actionRoute('resolve'), (c) => act(c, 'resolve', c.req.valid('param').id, c.req.valid('json')));
