import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { revokeApiKey } from '../../app/tenants/api-keys.js';
import type { AppEnv } from '../env.js';
import { tenantStore } from '../../store/tenants.js';
import { signUp } from '../../app/people/sign-up.js';
import { signedInPerson } from '../../app/people/people.js';
import { caller, manager, setSessionCookie } from '../auth.js';
import { carriesSecret } from '../idempotency.js';
import { access, errorResponses, IdParam, jsonBody, jsonContent, problemContent, router } from '../openapi.js';
import { PersonSchema, TenantSchema } from '../people-schemas.js';
import { SignUp } from '../../core/people/inputs.js';

const ownerOnly = problemContent('Members may not manage API keys');

const ApiKeySchema = z
  .object({ id: z.string(), prefix: z.string().openapi({ description: 'The key’s first characters, to tell keys apart' }), createdAt: z.iso.datetime() })
  .openapi('ApiKey');

const NewApiKeySchema = ApiKeySchema.extend({ key: z.string().openapi({ description: 'The secret key. Shown once; store it now.' }) }).openapi('NewApiKey');

const SignupSchema = SignUp.meta({ id: 'Signup' });

const signup = createRoute({
  method: 'post',
  path: '/v1/signup',
  tags: ['Tenants'],
  summary: 'Create an advertiser or publisher tenant; returns its first API key once',
  request: jsonBody(SignupSchema),
  responses: {
    201: jsonContent(
      z.object({ tenant: TenantSchema, apiKey: NewApiKeySchema, person: PersonSchema.optional() }),
      'Created (with a password: signed in, Set-Cookie)',
    ),
    400: errorResponses[400],
    409: problemContent('The email is taken (also the answer to a repeated signup: an Idempotency-Key replays nothing without an API key)'),
  },
});

const me = createRoute({
  method: 'get',
  path: '/v1/me',
  tags: ['Tenants'],
  summary: 'The tenant of the key or session, and the signed-in person',
  ...access(),
  responses: {
    200: jsonContent(TenantSchema.extend({ person: PersonSchema.optional().openapi({ description: 'Present when signed in by session' }) }), 'The tenant'),
    401: errorResponses[401],
  },
});

const listKeys = createRoute({
  method: 'get',
  path: '/v1/api-keys',
  tags: ['Tenants'],
  summary: 'The tenant’s API keys (never the secrets); not for members',
  ...access(),
  responses: { 200: jsonContent(z.object({ items: z.array(ApiKeySchema) }), 'Keys'), 401: errorResponses[401], 403: ownerOnly },
});

const createKey = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  tags: ['Tenants'],
  summary: 'Another API key for the same tenant; not for members',
  ...access(),
  responses: {
    201: jsonContent(NewApiKeySchema, 'Created; the secret is shown once'),
    401: errorResponses[401],
    403: ownerOnly,
    409: problemContent('A replay of a creation with the same Idempotency-Key: the secret is never stored, so the replay names the key (`created`) without it'),
  },
});

const revokeKey = createRoute({
  method: 'delete',
  path: '/v1/api-keys/{id}',
  tags: ['Tenants'],
  summary: 'Revoke a key; it is refused from the next request on; not for members',
  ...access(),
  request: { params: IdParam('key') },
  responses: { 204: { description: 'Revoked' }, 401: errorResponses[401], 403: ownerOnly, 404: errorResponses[404] },
});

const store = (c: Context<AppEnv>) => tenantStore(c.var.deps.db, c.var.deps.clock, c.var.deps.ids);

const keyView = ({ id, prefix, createdAt }: { id: string; prefix: string; createdAt: string }) => ({ id, prefix, createdAt });

export const tenantRoutes = router()
  .openapi(signup, async (c) => {
    const { tenant, key, owner } = await signUp(c.var.deps, c.req.valid('json'));
    carriesSecret(c, key.record.id);
    if (owner) setSessionCookie(c, owner.session);
    return c.json({ tenant, apiKey: { ...keyView(key.record), key: key.key }, ...(owner ? { person: owner.person } : {}) }, 201);
  })
  .openapi(me, async (c) => {
    const { tenantId, person } = caller(c);
    const tenant = await store(c).get(tenantId);
    return c.json({ ...tenant, ...(person ? { person: await signedInPerson(c.var.deps, tenantId, person.id) } : {}) }, 200);
  })
  .openapi(listKeys, async (c) => c.json({ items: (await store(c).listKeys(manager(c).tenantId)).map(keyView) }, 200))
  .openapi(createKey, async (c) => {
    const { tenantId, role } = manager(c);
    const key = await store(c).createKey(tenantId, role);
    carriesSecret(c, key.record.id);
    return c.json({ ...keyView(key.record), key: key.key }, 201);
  })
  .openapi(revokeKey, async (c) => {
    await revokeApiKey(c.var.deps, manager(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
