import { createRoute, z } from '@hono/zod-openapi';
import { SLOT_STATUSES } from '../../core/marketplace/catalog.js';
import { IsoDate } from '../../core/marketplace/slots.js';
import { createSlots } from '../../app/marketplace/create-slots.js';
import { deleteSlot, marketSlot, updateSlot } from '../../app/marketplace/edit-slot.js';
import type { SlotRecord } from '../../store/marketplace.js';
import { access, errorResponses, IdParam, jsonBody, jsonContent, PageQuery, router } from '../openapi.js';
import { paged } from '../pagination.js';
import { SlotCreateSchema, SlotPatchSchema, SlotSchema, page } from '../marketplace-schemas.js';
import { caller } from '../auth.js';
import { publisherStore } from './accounts.js';

const tags = ['Slots'];
const ownerErrors = { 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] };

const create = createRoute({
  method: 'post',
  path: '/v1/accounts/{id}/slots',
  tags,
  summary: 'List one sponsored-post slot, or many from a recurring rule (all or none)',
  ...access('publisher'),
  request: { params: IdParam('acct'), ...jsonBody(SlotCreateSchema) },
  responses: { 201: jsonContent(z.object({ items: z.array(SlotSchema) }), 'Created'), ...ownerErrors, 409: errorResponses[409] },
});

const list = createRoute({
  method: 'get',
  path: '/v1/accounts/{id}/slots',
  tags,
  summary: 'An account’s slots by date, optionally between two dates and in one status',
  ...access('publisher'),
  request: {
    params: IdParam('acct'),
    query: PageQuery.extend({ from: IsoDate.optional(), to: IsoDate.optional(), status: z.enum(SLOT_STATUSES).optional() }),
  },
  responses: { 200: jsonContent(page(SlotSchema), 'A page of slots'), ...ownerErrors },
});

const get = createRoute({
  method: 'get',
  path: '/v1/slots/{id}',
  tags,
  summary: 'One slot: the owner’s in any status; anyone’s while it is open or booked',
  ...access(),
  request: { params: IdParam('slot') },
  responses: { 200: jsonContent(SlotSchema, 'The slot'), 401: errorResponses[401], 404: errorResponses[404] },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/slots/{id}',
  tags,
  summary: 'Change a slot that is not booked (or close / reopen it); a new date must be today or later in the market’s time zone (400 before)',
  ...access('publisher'),
  request: { params: IdParam('slot'), ...jsonBody(SlotPatchSchema) },
  responses: { 200: jsonContent(SlotSchema, 'The changed slot'), ...ownerErrors, 409: errorResponses[409] },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/slots/{id}',
  tags,
  summary: 'Delete a slot that is not booked',
  ...access('publisher'),
  request: { params: IdParam('slot') },
  responses: { 204: { description: 'Deleted' }, ...ownerErrors, 409: errorResponses[409] },
});

/** A slot as the API shows it (deleted slots are never shown). */
export const slotView = ({ ownerTenantId: _owner, ...slot }: SlotRecord) => ({ ...slot, status: slot.status as (typeof SLOT_STATUSES)[number] });

/** A slot as `viewer` sees it: which order holds it is the owner's business. */
export const marketSlotView = (slot: SlotRecord, viewer: string | undefined) => {
  const { orderId, ...shown } = slotView(slot);
  return slot.ownerTenantId === viewer ? { ...shown, orderId } : shown;
};

export const slotRoutes = router()
  .openapi(get, async (c) => {
    const { tenantId } = caller(c);
    return c.json(marketSlotView(await marketSlot(c.var.deps, tenantId, c.req.valid('param').id), tenantId), 200);
  })
  .openapi(create, async (c) => {
    const slots = await createSlots(c.var.deps, caller(c, 'publisher').tenantId, c.req.valid('param').id, c.req.valid('json'));
    return c.json({ items: slots.map(slotView) }, 201);
  })
  .openapi(list, async (c) => {
    const { store, owner } = publisherStore(c);
    const out = await paged(c, c.req.valid('query'), ({ limit, cursor, ...filter }) =>
      store.listSlots(owner, c.req.valid('param').id, filter, { limit, cursor }),
    );
    return c.json({ ...out, items: out.items.map(slotView) }, 200);
  })
  .openapi(update, async (c) => {
    return c.json(slotView(await updateSlot(c.var.deps, caller(c, 'publisher').tenantId, c.req.valid('param').id, c.req.valid('json'))), 200);
  })
  .openapi(remove, async (c) => {
    await deleteSlot(c.var.deps, caller(c, 'publisher').tenantId, c.req.valid('param').id);
    return c.body(null, 204);
  });
