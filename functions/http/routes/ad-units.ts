import { createRoute } from '@hono/zod-openapi';
import { access, errorResponses, IdParam, jsonBody, jsonContent, PageQuery, router } from '../openapi.js';
import { paged } from '../pagination.js';
import { AdUnitInputSchema, AdUnitPatchSchema, AdUnitSchema, page } from '../marketplace-schemas.js';
import { publisherStore } from './accounts.js';

const tags = ['Ad units'];
const ownerErrors = { 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] };

const create = createRoute({
  method: 'post',
  path: '/v1/accounts/{id}/ad-units',
  tags,
  summary: 'Add a programmatic ad unit to an account; its id is public',
  ...access('publisher'),
  request: { params: IdParam('acct'), ...jsonBody(AdUnitInputSchema) },
  responses: { 201: jsonContent(AdUnitSchema, 'Created'), ...ownerErrors },
});

const list = createRoute({
  method: 'get',
  path: '/v1/accounts/{id}/ad-units',
  tags,
  summary: 'An account’s ad units',
  ...access('publisher'),
  request: { params: IdParam('acct'), query: PageQuery },
  responses: { 200: jsonContent(page(AdUnitSchema), 'A page of ad units'), ...ownerErrors },
});

const get = createRoute({
  method: 'get',
  path: '/v1/ad-units/{id}',
  tags,
  summary: 'One ad unit',
  ...access('publisher'),
  request: { params: IdParam('unit') },
  responses: { 200: jsonContent(AdUnitSchema, 'The ad unit'), ...ownerErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/ad-units/{id}',
  tags,
  summary: 'Change an ad unit’s floor, blocked categories, placement or enable it',
  ...access('publisher'),
  request: { params: IdParam('unit'), ...jsonBody(AdUnitPatchSchema) },
  responses: { 200: jsonContent(AdUnitSchema, 'The changed ad unit'), ...ownerErrors, 409: errorResponses[409] },
});

export const adUnitRoutes = router()
  .openapi(create, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await store.createAdUnit(owner, c.req.valid('param').id, c.req.valid('json')), 201);
  })
  .openapi(list, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await paged(c, c.req.valid('query'), (page) => store.listAdUnits(owner, c.req.valid('param').id, page)), 200);
  })
  .openapi(get, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await store.getAdUnit(owner, c.req.valid('param').id), 200);
  })
  .openapi(update, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await store.updateAdUnit(owner, c.req.valid('param').id, c.req.valid('json')), 200);
  });
