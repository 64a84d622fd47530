import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.js';
import { signupRoles } from '../../core/tenants/tenants.js';
import { tenantStore } from '../../store/tenants.js';
import { caller } from '../auth.js';
import { carriesSecret } from '../idempotency.js';
import { access, errorResponses, IdParam, jsonBody, jsonContent, problemContent, router } from '../openapi.js';

const TenantSchema = z
  .object({
    id: z.string(),
    role: z.enum(['advertiser', 'publisher', 'admin']),
    name: z.string(),
    email: z.email(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Tenant');

const ApiKeySchema = z
  .object({ id: z.string(), prefix: z.string().openapi({ description: 'The key’s first characters, to tell keys apart' }), createdAt: z.iso.datetime() })
  .openapi('ApiKey');

const NewApiKeySchema = ApiKeySchema.extend({ key: z.string().openapi({ description: 'The secret key. Shown once; store it now.' }) }).openapi('NewApiKey');

const SignupSchema = z
  .object({
    role: z.enum(signupRoles),
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320),
  })
  .openapi('Signup');

const signup = createRoute({
  method: 'post',
  path: '/v1/signup',
  tags: ['Tenants'],
  summary: 'Create an advertiser or publisher tenant; returns its first API key once',
  request: jsonBody(SignupSchema),
  responses: {
    201: jsonContent(z.object({ tenant: TenantSchema, apiKey: NewApiKeySchema }), 'Created'),
    400: errorResponses[400],
    409: problemContent('The email is taken (also the answer to a repeated signup: an Idempotency-Key replays nothing without an API key)'),
  },
});

const me = createRoute({
  method: 'get',
  path: '/v1/me',
  tags: ['Tenants'],
  summary: 'The tenant the key belongs to',
  ...access(),
  responses: { 200: jsonContent(TenantSchema, 'The tenant'), 401: errorResponses[401] },
});

const listKeys = createRoute({
  method: 'get',
  path: '/v1/api-keys',
  tags: ['Tenants'],
  summary: 'The tenant’s API keys (never the secrets)',
  ...access(),
  responses: { 200: jsonContent(z.object({ items: z.array(ApiKeySchema) }), 'Keys'), 401: errorResponses[401] },
});

const createKey = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  tags: ['Tenants'],
  summary: 'Another API key for the same tenant',
  ...access(),
  responses: {
    201: jsonContent(NewApiKeySchema, 'Created; the secret is shown once'),
    401: errorResponses[401],
    409: problemContent('A replay of a creation with the same Idempotency-Key: the secret is never stored, so the replay names the key (`created`) without it'),
  },
});

const revokeKey = createRoute({
  method: 'delete',
  path: '/v1/api-keys/{id}',
  tags: ['Tenants'],
  summary: 'Revoke a key; it is refused from the next request on',
  ...access(),
  request: { params: IdParam('key') },
  responses: { 204: { description: 'Revoked' }, 401: errorResponses[401], 404: errorResponses[404] },
});

const store = (c: Context<AppEnv>) => tenantStore(c.var.deps.db, c.var.deps.clock, c.var.deps.ids);

const keyView = ({ id, prefix, createdAt }: { id: string; prefix: string; createdAt: string }) => ({ id, prefix, createdAt });

export const tenantRoutes = router()
  .openapi(signup, async (c) => {
    const { tenant, key } = await store(c).create(c.req.valid('json'));
    carriesSecret(c, key.record.id);
    return c.json({ tenant, apiKey: { ...keyView(key.record), key: key.key } }, 201);
  })
  .openapi(me, async (c) => c.json(await store(c).get(caller(c).tenantId), 200))
  .openapi(listKeys, async (c) => c.json({ items: (await store(c).listKeys(caller(c).tenantId)).map(keyView) }, 200))
  .openapi(createKey, async (c) => {
    const { tenantId, role } = caller(c);
    const key = await store(c).createKey(tenantId, role);
    carriesSecret(c, key.record.id);
    return c.json({ ...keyView(key.record), key: key.key }, 201);
  })
  .openapi(revokeKey, async (c) => {
    await store(c).revokeKey(caller(c).tenantId, c.req.valid('param').id);
    return c.body(null, 204);
  });
