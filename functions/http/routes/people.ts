import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie } from 'hono/cookie';
import { acceptInvite, createInvite } from '../../app/people/invites.js';
import { completePasswordReset, createPasswordReset } from '../../app/people/password-resets.js';
import { listPeople, removePerson } from '../../app/people/people.js';
import { endSession } from '../../app/people/sessions.js';
import { signIn } from '../../app/people/sign-in.js';
import { Invite, InviteAcceptance, PasswordResetCompletion, SignIn } from '../../core/people/inputs.js';
import { ForbiddenError } from '../../core/shared/errors.js';
import { caller, manager, SESSION_COOKIE, setSessionCookie } from '../auth.js';
import { clientAddress } from '../client-address.js';
import { carriesSecret } from '../idempotency.js';
import { access, errorResponses, Id, IdParam, jsonBody, jsonContent, problemContent, router, sessionSecurity } from '../openapi.js';
import { PersonSchema, TenantSchema } from '../people-schemas.js';

const tags = ['People'];

const SignedInSchema = z.object({ tenant: TenantSchema, person: PersonSchema }).openapi('SignedIn');
const rateLimited = problemContent('Too many sign-in attempts for this account or from this address; `Retry-After` says when to try again');
const ownerOnly = problemContent('Members may not manage people, or the key’s role may not do this');

/** Where the console takes a link's secret: in the fragment, which browsers never send to a server (nor its logs). */
const consoleLink = (page: string, token: string) => `/console/${page}#token=${encodeURIComponent(token)}`;

const signInRoute = createRoute({
  method: 'post',
  path: '/v1/sessions',
  tags,
  summary: 'Sign in with email and password: sets the session cookie',
  request: jsonBody(SignIn.meta({ id: 'SignIn' })),
  responses: {
    201: {
      ...jsonContent(SignedInSchema, 'Signed in'),
      headers: { 'Set-Cookie': { schema: { type: 'string' }, description: `${SESSION_COOKIE}=…; HttpOnly; SameSite=Lax; Path=/; Secure (but on localhost)` } },
    },
    400: errorResponses[400],
    401: problemContent('Wrong email or password'),
    403: problemContent('The request came from another origin'),
    429: rateLimited,
  },
});

const signOutRoute = createRoute({
  method: 'delete',
  path: '/v1/sessions/current',
  tags,
  summary: 'Sign out: the session is revoked and the cookie cleared',
  security: sessionSecurity,
  responses: {
    204: { description: 'Signed out' },
    401: errorResponses[401],
    403: problemContent('Not signed in by cookie (API keys are revoked with DELETE /v1/api-keys/{id}), or another origin'),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/people',
  tags,
  summary: 'The people of the caller’s tenant',
  ...access(),
  responses: { 200: jsonContent(z.object({ items: z.array(PersonSchema) }), 'People'), 401: errorResponses[401] },
});

const removeRoute = createRoute({
  method: 'delete',
  path: '/v1/people/{id}',
  tags,
  summary: 'Remove a member (owner only): their sessions end at once',
  ...access(),
  request: { params: IdParam('psn') },
  responses: {
    204: { description: 'Removed' },
    401: errorResponses[401],
    403: ownerOnly,
    404: errorResponses[404],
    409: problemContent('The owner cannot be removed'),
  },
});

const inviteRoute = createRoute({
  method: 'post',
  path: '/v1/people/invites',
  tags,
  summary: 'Invite someone as a member (owner only): returns the invite link once; no mail is sent',
  ...access(),
  request: jsonBody(Invite.meta({ id: 'InviteInput' })),
  responses: {
    201: jsonContent(
      z
        .object({
          id: z.string(),
          email: z.email(),
          role: z.literal('member'),
          expiresAt: z.iso.datetime(),
          token: z.string().openapi({ description: 'The invite’s secret. Shown once.' }),
          path: z.string().openapi({ description: 'The console page that accepts it, the secret in the fragment' }),
        })
        .openapi('Invite'),
      'The invite link',
    ),
    400: errorResponses[400],
    401: errorResponses[401],
    403: ownerOnly,
  },
});

const acceptRoute = createRoute({
  method: 'post',
  path: '/v1/invites/accept',
  tags,
  summary: 'Accept an invite with a name and password: creates the person and signs them in',
  request: jsonBody(InviteAcceptance.meta({ id: 'InviteAccept' })),
  responses: {
    201: jsonContent(SignedInSchema, 'Joined and signed in'),
    400: errorResponses[400],
    403: problemContent('The request came from another origin'),
    404: problemContent('The invite is unknown, used or expired'),
    409: problemContent('Someone already signs in with this email'),
  },
});

const resetRoute = createRoute({
  method: 'post',
  path: '/v1/password-resets',
  tags,
  summary: 'A password-reset link for a person (their tenant’s owner, or an operator for anyone); returned once, no mail is sent',
  ...access(),
  request: jsonBody(z.object({ personId: Id('psn') }).openapi('PasswordResetInput')),
  responses: {
    201: jsonContent(
      z
        .object({ personId: z.string(), expiresAt: z.iso.datetime(), token: z.string().openapi({ description: 'Shown once' }), path: z.string() })
        .openapi('PasswordReset'),
      'The reset link',
    ),
    400: errorResponses[400],
    401: errorResponses[401],
    403: ownerOnly,
    404: errorResponses[404],
  },
});

const completeResetRoute = createRoute({
  method: 'post',
  path: '/v1/password-resets/complete',
  tags,
  summary: 'Set a new password with a reset link: every session of the person ends',
  request: jsonBody(PasswordResetCompletion.meta({ id: 'PasswordResetComplete' })),
  responses: {
    204: { description: 'Password changed; sign in with it' },
    400: errorResponses[400],
    403: problemContent('The request came from another origin'),
    404: problemContent('The reset is unknown, used or expired'),
  },
});

export const peopleRoutes = router()
  .openapi(signInRoute, async (c) => {
    const { person, tenant, session } = await signIn(c.var.deps, { ...c.req.valid('json'), address: clientAddress(c) });
    setSessionCookie(c, session);
    c.header('cache-control', 'no-store');
    return c.json({ tenant, person }, 201);
  })
  .openapi(signOutRoute, async (c) => {
    if (!caller(c).person) throw new ForbiddenError('Sign-out ends a session; API keys are revoked with DELETE /v1/api-keys/{id}');
    await endSession(c.var.deps, getCookie(c, SESSION_COOKIE) ?? '');
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  })
  .openapi(listRoute, async (c) => c.json({ items: await listPeople(c.var.deps, caller(c).tenantId) }, 200))
  .openapi(removeRoute, async (c) => {
    const { tenantId, person } = manager(c);
    await removePerson(c.var.deps, tenantId, c.req.valid('param').id, person?.id);
    return c.body(null, 204);
  })
  .openapi(inviteRoute, async (c) => {
    const { tenantId, person, keyId } = manager(c);
    const invite = await createInvite(c.var.deps, tenantId, person?.id ?? keyId ?? tenantId, c.req.valid('json').email);
    c.header('cache-control', 'no-store');
    carriesSecret(c, invite.id);
    return c.json({ ...invite, path: consoleLink('accept-invite', invite.token) }, 201);
  })
  .openapi(acceptRoute, async (c) => {
    const { person, tenant, session } = await acceptInvite(c.var.deps, c.req.valid('json'));
    setSessionCookie(c, session);
    c.header('cache-control', 'no-store');
    return c.json({ tenant, person }, 201);
  })
  .openapi(resetRoute, async (c) => {
    const { tenantId, role } = manager(c);
    const reset = await createPasswordReset(c.var.deps, role === 'admin' ? undefined : tenantId, c.req.valid('json').personId);
    c.header('cache-control', 'no-store');
    carriesSecret(c, `a password reset for ${reset.personId}`);
    return c.json({ ...reset, path: consoleLink('reset-password', reset.token) }, 201);
  })
  .openapi(completeResetRoute, async (c) => {
    await completePasswordReset(c.var.deps, c.req.valid('json'));
    return c.body(null, 204);
  });
