import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { marketplaceStore } from '../../store/marketplace.js';
import type { AppEnv } from '../env.js';
import { caller } from '../auth.js';
import { AccountInputSchema, AccountPatchSchema, AccountSchema, page } from '../marketplace-schemas.js';
import { IdParam, PageQuery, access, errorResponses, jsonBody, jsonContent, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Accounts'];
const ownerErrors = { 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403] };

const create = createRoute({
  method: 'post',
  path: '/v1/accounts',
  tags,
  summary: 'Register an official account with its audience profile (publishers)',
  ...access('publisher'),
  request: jsonBody(AccountInputSchema),
  responses: { 201: jsonContent(AccountSchema, 'Created; the audience is self-reported until an operator verifies it'), ...ownerErrors },
});

const list = createRoute({
  method: 'get',
  path: '/v1/accounts',
  tags,
  summary: 'The caller’s accounts',
  ...access('publisher'),
  request: { query: PageQuery },
  responses: { 200: jsonContent(page(AccountSchema), 'A page of accounts'), ...ownerErrors },
});

const get = createRoute({
  method: 'get',
  path: '/v1/accounts/{id}',
  tags,
  summary: 'One of the caller’s accounts',
  ...access('publisher'),
  request: { params: IdParam('acct') },
  responses: { 200: jsonContent(AccountSchema, 'The account'), ...ownerErrors, 404: errorResponses[404] },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/accounts/{id}',
  tags,
  summary: 'Change an account; any audience change makes the profile self-reported again',
  ...access('publisher'),
  request: { params: IdParam('acct'), ...jsonBody(AccountPatchSchema) },
  responses: { 200: jsonContent(AccountSchema, 'The changed account'), ...ownerErrors, 404: errorResponses[404], 409: errorResponses[409] },
});

/** The marketplace store and the calling publisher. */
export function publisherStore(c: Context<AppEnv>) {
  const { db, clock, ids } = c.var.deps;
  return { store: marketplaceStore(db, clock, ids), owner: caller(c).tenantId };
}

export const accountRoutes = router()
  .openapi(create, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await store.createAccount(owner, c.req.valid('json')), 201);
  })
  .openapi(list, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await paged(c, c.req.valid('query'), (page) => store.listAccounts(owner, page)), 200);
  })
  .openapi(get, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await store.getAccount(owner, c.req.valid('param').id), 200);
  })
  .openapi(update, async (c) => {
    const { store, owner } = publisherStore(c);
    return c.json(await store.updateAccount(owner, c.req.valid('param').id, c.req.valid('json')), 200);
  });
