import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { newServerKey, publicAdUnit, updateAdUnit, type PublicAdUnit } from '../../app/serving/ad-unit-settings.js';
import { unitCode } from '../../core/tags/unit-code.js';
import { TAG_VERSION } from '../../tag/tag-script.js';
import type { AppEnv } from '../env.js';
import { access, errorResponses, IdParam, jsonBody, jsonContent, PageQuery, router } from '../openapi.js';
import { carriesSecret } from '../idempotency.js';
import { paged } from '../pagination.js';
import { AdUnitInputSchema, AdUnitPatchSchema, AdUnitSchema, NewUnitKeySchema, page } from '../marketplace-schemas.js';
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
  summary: 'One ad unit, with the code to paste for each kind of place (web and H5 pages, posts and newsletters)',
  ...access('publisher'),
  request: { params: IdParam('unit') },
  responses: { 200: jsonContent(AdUnitSchema, 'The ad unit'), ...ownerErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/ad-units/{id}',
  tags,
  summary: 'Change an ad unit’s floor (after a delay), blocked categories, allowed origins, placement, or enable it',
  ...access('publisher'),
  request: { params: IdParam('unit'), ...jsonBody(AdUnitPatchSchema) },
  responses: { 200: jsonContent(AdUnitSchema, 'The changed ad unit'), ...ownerErrors, 409: errorResponses[409] },
});

/** A unit as the API shows it: without its server key's hash, with the code its owner pastes. */
const withCode = (c: Context<AppEnv>, unit: PublicAdUnit) => ({ ...unit, code: unitCode(unit, c.var.deps.config.PUBLIC_BASE_URL ?? '', TAG_VERSION) });

const serverKey = createRoute({
  method: 'post',
  path: '/v1/ad-units/{id}/server-key',
  tags,
  summary: 'A new server key for server-to-server decisions (replaces the previous one)',
  description:
    'Shown once; the unit keeps only its hash. Send it as `X-Placard-Unit-Key` with POST /v1/decisions: the origin check is skipped, and without a `frequencyToken` the viewer’s frequency is read from the table.',
  ...access('publisher'),
  request: { params: IdParam('unit') },
  responses: { 201: jsonContent(NewUnitKeySchema, 'Created; the key is shown once'), ...ownerErrors },
});

export const adUnitRoutes = router()
  .openapi(create, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(withCode(c, publicAdUnit(await store.createAdUnit(owner, c.req.valid('param').id, c.req.valid('json')))), 201);
  })
  .openapi(list, async (c) => {
    const { store, owner } = publisherStore(c);
    const units = await paged(c, c.req.valid('query'), (query) => store.listAdUnits(owner, c.req.valid('param').id, query));
    return c.json({ ...units, items: units.items.map((unit) => withCode(c, publicAdUnit(unit))) }, 200);
  })
  .openapi(get, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(withCode(c, publicAdUnit(await store.getAdUnit(owner, c.req.valid('param').id))), 200);
  })
  .openapi(update, async (c) => {
    const { owner } = publisherStore(c);
    return c.json(withCode(c, await updateAdUnit(c.var.deps, owner, c.req.valid('param').id, c.req.valid('json'))), 200);
  })
  .openapi(serverKey, async (c) => {
    const { owner } = publisherStore(c);
    const unitId = c.req.valid('param').id;
    carriesSecret(c, unitId);
    return c.json(await newServerKey(c.var.deps, owner, unitId), 201);
  });
