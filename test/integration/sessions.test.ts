import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { adminKey, testDeps, type MovableClock, movableClock } from '../support/deps.js';
import { call, invalid, type Method, type Path, raw, type RequestBody, signup, withProblem } from '../support/http.js';

/**
 * People and sessions (issue 12) through the real app and DynamoDB Local. Browser requests are
 * made as a browser makes them: the cookie from Set-Cookie, and an Origin header on writes.
 */

const ORIGIN = 'http://localhost';
const PASSWORD = 'correct horse battery';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let clock: MovableClock;
let n = 0;

beforeAll(async () => {
  clock = movableClock();
  deps = await testDeps({ clock, env: { SCRYPT_COST: '12', SIGNIN_MAX_PER_ACCOUNT: '3', SIGNIN_MAX_PER_ADDRESS: '6' } });
  app = createApp(deps);
});

const email = (who: string) => `${who}-${++n}-${Date.now()}@example.com`;

/** The `name=value` of the session cookie a response set. */
function sessionCookie(res: { headers: Headers }): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('placard_session='));
  if (!cookie) throw new Error('no session cookie was set');
  return cookie.split(';')[0] as string;
}

/** The headers of a request as the console makes it: the cookie, and this origin on writes. */
function browserHeaders(cookie: string, origin: string | null = ORIGIN): Record<string, string> {
  const headers: Record<string, string> = { cookie };
  if (origin !== null) headers.origin = origin;
  return headers;
}

/** A request as the console makes it. */
function browser<M extends Method, P extends Path<M>>(cookie: string, method: M, path: P, body?: RequestBody<M, P>, origin: string | null = ORIGIN) {
  return call(app, method, path, { body, headers: browserHeaders(cookie, origin) });
}

/** The same for a table of requests of several routes, read as problems. */
async function browserProblem(cookie: string, method: string, path: string, body?: unknown) {
  return withProblem(await raw(app, method, path, { body, headers: browserHeaders(cookie) }));
}

async function consoleSignup(role: 'advertiser' | 'publisher' = 'advertiser') {
  const res = await call(app, 'POST', '/v1/signup', {
    body: { role, name: `${role} Co`, email: email(role), password: PASSWORD },
    headers: { origin: ORIGIN },
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${JSON.stringify(res.body)}`);
  const { person } = res.body;
  if (!person) throw new Error('a signup with a password signs its owner in');
  return {
    cookie: sessionCookie(res),
    tenantId: res.body.tenant.id as string,
    person,
    email: res.body.tenant.email as string,
    apiKey: res.body.apiKey.key as string,
  };
}

async function signIn(address: string, body: { email: string; password: string }) {
  return app.request(
    '/v1/sessions',
    { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify(body) },
    { requestContext: { http: { sourceIp: address } } },
  );
}

async function dump(): Promise<string> {
  const out = await deps.db.doc.send(new ScanCommand({ TableName: deps.db.tableName }));
  return JSON.stringify(out.Items);
}

async function itemCount(): Promise<number> {
  const out = await deps.db.doc.send(new ScanCommand({ TableName: deps.db.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

async function invite(ownerCookie: string) {
  const res = await browser(ownerCookie, 'POST', '/v1/people/invites', { email: email('member') });
  expect(res.status).toBe(201);
  return res.body;
}

async function member(ownerCookie: string) {
  const inv = await invite(ownerCookie);
  const res = await call(app, 'POST', '/v1/invites/accept', { body: { token: inv.token, name: 'Mei', password: PASSWORD }, headers: { origin: ORIGIN } });
  expect(res.status).toBe(201);
  return { cookie: sessionCookie(res), person: res.body.person, email: inv.email };
}

describe('console signup and sign-in', () => {
  it('signs up with a password: the tenant, its owner and a session cookie with the right flags', async () => {
    const res = await call(app, 'POST', '/v1/signup', { body: { role: 'publisher', name: 'Tea House', email: email('owner'), password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.body.person).toMatchObject({ role: 'owner', tenantId: res.body.tenant.id, email: res.body.tenant.email });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('placard_session=')) ?? '';
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/; Secure/); // plain http on localhost
    const me = await browser(sessionCookie(res), 'GET', '/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: res.body.tenant.id, role: 'publisher', person: { id: res.body.person?.id, role: 'owner' } });
  });

  it('marks the cookie Secure on any host but localhost and 127.0.0.1', async () => {
    const res = await app.request('https://console.placard.example/v1/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'advertiser', name: 'Remote', email: email('remote'), password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('placard_session='))).toMatch(/; Secure/);
  });

  it('keeps only hashes of passwords and sessions', async () => {
    const owner = await consoleSignup();
    const all = await dump();
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(owner.cookie.split('.')[1]);
    expect(all).toMatch(/"passwordHash":"scrypt\$12\$8\$1\$/);
  });

  it('signs in with email and password, and refuses a wrong password or unknown email alike', async () => {
    const owner = await consoleSignup();
    const ok = await signIn('198.51.100.1', { email: owner.email.toUpperCase(), password: PASSWORD });
    expect(ok.status).toBe(201);
    const body = (await ok.json()) as { person: { id: string } };
    expect(body.person.id).toBe(owner.person.id);
    const wrong = await signIn('198.51.100.1', { email: owner.email, password: 'not the password' });
    const unknown = await signIn('198.51.100.1', { email: email('nobody'), password: PASSWORD });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(((await wrong.json()) as { detail: string }).detail).toBe(((await unknown.json()) as { detail: string }).detail);
  });

  it('accepts the API key of a console signup as well as its cookie', async () => {
    const owner = await consoleSignup();
    expect((await call(app, 'GET', '/v1/me', { key: owner.apiKey })).body.id).toBe(owner.tenantId);
  });
});

describe('CSRF', () => {
  it('refuses a cross-origin POST signed in by cookie with 403, and changes nothing', async () => {
    const owner = await consoleSignup();
    const before = await itemCount();
    const foreign = await browser(owner.cookie, 'POST', '/v1/campaigns', invalid({ name: 'x' }), 'https://evil.example');
    const none = await browser(owner.cookie, 'POST', '/v1/api-keys', undefined, null);
    expect(foreign.status).toBe(403);
    expect(none.status).toBe(403);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
    expect(await itemCount()).toBe(before);
    expect((await browser(owner.cookie, 'POST', '/v1/api-keys')).status).toBe(201);
  });

  it('takes the browser’s host from X-Forwarded-Host (the console’s CloudFront)', async () => {
    const owner = await consoleSignup();
    const res = await call(app, 'POST', '/v1/api-keys', {
      headers: { cookie: owner.cookie, origin: 'https://console.placard.example', 'x-forwarded-host': 'console.placard.example' },
    });
    // app.request is http, so the origin differs in scheme: refused; the same scheme passes.
    expect(res.status).toBe(403);
    const same = await call(app, 'POST', '/v1/api-keys', {
      headers: { cookie: owner.cookie, origin: 'http://console.placard.example', 'x-forwarded-host': 'console.placard.example' },
    });
    expect(same.status).toBe(201);
  });

  it('lets reads through without an Origin', async () => {
    const owner = await consoleSignup();
    expect((await browser(owner.cookie, 'GET', '/v1/me', undefined, null)).status).toBe(200);
  });
});

describe('sign-out and revoked sessions', () => {
  it('revokes the session: the same cookie is refused with 401 afterwards', async () => {
    const owner = await consoleSignup();
    const out = await browser(owner.cookie, 'DELETE', '/v1/sessions/current');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('placard_session='))).toMatch(/Max-Age=0/);
    const me = await browser(owner.cookie, 'GET', '/v1/me');
    expect(me.status).toBe(401);
    expect(me.headers.get('content-type')).toContain('application/problem+json');
    // The stale cookie does not stop signing in again.
    expect((await browser(owner.cookie, 'POST', '/v1/sessions', { email: owner.email, password: PASSWORD })).status).toBe(201);
  });

  it('refuses a forged or expired session', async () => {
    const owner = await consoleSignup();
    const forged = `${owner.cookie.split('.')[0]}.pls_forged`;
    expect((await browser(forged, 'GET', '/v1/me')).status).toBe(401);
    clock.advance(deps.config.SESSION_TTL_HOURS * 3600 * 1000 + 1000);
    try {
      expect((await browser(owner.cookie, 'GET', '/v1/me')).status).toBe(401);
    } finally {
      clock.advance(-(deps.config.SESSION_TTL_HOURS * 3600 * 1000 + 1000));
    }
  });

  it('answers sign-out with an API key 403', async () => {
    const owner = await consoleSignup();
    expect((await call(app, 'DELETE', '/v1/sessions/current', { key: owner.apiKey })).status).toBe(403);
  });
});

describe('sign-in rate limits', () => {
  it('limits attempts per account: past the limit even the right password gets 429 with Retry-After', async () => {
    const owner = await consoleSignup();
    for (let i = 0; i < 3; i++) expect((await signIn(`192.0.2.${10 + i}`, { email: owner.email, password: 'wrong password!' })).status).toBe(401);
    const limited = await signIn('192.0.2.99', { email: owner.email, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(deps.config.SIGNIN_WINDOW_SECONDS * 1000);
    expect((await signIn('192.0.2.99', { email: owner.email, password: PASSWORD })).status).toBe(201);
  });

  it('limits attempts per address across accounts, keeping only a keyed hash of the address', async () => {
    const address = '203.0.113.77';
    for (let i = 0; i < 6; i++) expect((await signIn(address, { email: email('guess'), password: 'guess guess guess' })).status).toBe(401);
    const owner = await consoleSignup();
    expect((await signIn(address, { email: owner.email, password: PASSWORD })).status).toBe(429);
    expect((await signIn('203.0.113.78', { email: owner.email, password: PASSWORD })).status).toBe(201);
    expect(await dump()).not.toContain(address);
  });
});

describe('people and invites', () => {
  it('invites by a link; the invited person joins as a member and is signed in', async () => {
    const owner = await consoleSignup();
    const inv = await invite(owner.cookie);
    expect(inv.path).toBe(`/console/accept-invite#token=${encodeURIComponent(inv.token)}`);
    expect(await dump()).not.toContain(inv.token);
    const joined = await member(owner.cookie);
    expect(joined.person).toMatchObject({ role: 'member', tenantId: owner.tenantId });
    const people = await browser(owner.cookie, 'GET', '/v1/people');
    expect(people.body.items.map((p: { role: string }) => p.role).sort()).toEqual(['member', 'owner']);
    expect((await browser(joined.cookie, 'GET', '/v1/me')).body.id).toBe(owner.tenantId);
  });

  it('uses an invite once, and not after it expires', async () => {
    const owner = await consoleSignup();
    const inv = await invite(owner.cookie);
    const accept = () => call(app, 'POST', '/v1/invites/accept', { body: { token: inv.token, name: 'Li', password: PASSWORD } });
    expect((await accept()).status).toBe(201);
    expect((await accept()).status).toBe(404);
    const late = await invite(owner.cookie);
    clock.advance(deps.config.INVITE_TTL_HOURS * 3600 * 1000 + 1000);
    try {
      const res = await call(app, 'POST', '/v1/invites/accept', { body: { token: late.token, name: 'Li', password: PASSWORD } });
      expect(res.status).toBe(404);
    } finally {
      clock.advance(-(deps.config.INVITE_TTL_HOURS * 3600 * 1000 + 1000));
    }
  });

  it('lets a member work but not manage people or API keys (403, nothing changed)', async () => {
    const owner = await consoleSignup('advertiser');
    const joined = await member(owner.cookie);
    expect((await browser(joined.cookie, 'GET', '/v1/campaigns')).status).toBe(200);
    expect((await browser(joined.cookie, 'GET', '/v1/people')).status).toBe(200);
    const before = await itemCount();
    for (const [method, path, body] of [
      ['POST', '/v1/people/invites', { email: email('x') }],
      ['DELETE', `/v1/people/${owner.person.id}`, undefined],
      ['POST', '/v1/password-resets', { personId: owner.person.id }],
      ['GET', '/v1/api-keys', undefined],
      ['POST', '/v1/api-keys', undefined],
    ] as const) {
      const res = await browserProblem(joined.cookie, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await itemCount()).toBe(before);
  });

  it('removes a member: their session ends at once; the owner cannot be removed', async () => {
    const owner = await consoleSignup();
    const joined = await member(owner.cookie);
    expect((await browser(owner.cookie, 'DELETE', `/v1/people/${owner.person.id}`)).status).toBe(409);
    expect((await browser(owner.cookie, 'DELETE', `/v1/people/${joined.person.id}`)).status).toBe(204);
    expect((await browser(joined.cookie, 'GET', '/v1/me')).status).toBe(401);
    expect((await signIn('198.51.100.5', { email: joined.email, password: PASSWORD })).status).toBe(401);
  });

  it('keeps people to their tenant: another owner gets 404 and changes nothing', async () => {
    const a = await consoleSignup();
    const b = await consoleSignup();
    const joined = await member(a.cookie);
    const before = await itemCount();
    expect((await browser(b.cookie, 'DELETE', `/v1/people/${joined.person.id}`)).status).toBe(404);
    expect((await browser(b.cookie, 'POST', '/v1/password-resets', { personId: joined.person.id })).status).toBe(404);
    expect((await browser(b.cookie, 'GET', '/v1/people')).body.items.map((p: { id: string }) => p.id)).toEqual([b.person.id]);
    expect(await itemCount()).toBe(before);
  });
});

describe('password reset', () => {
  it('an owner makes a link; using it sets the password and ends every session of that person', async () => {
    const owner = await consoleSignup();
    const joined = await member(owner.cookie);
    const link = await browser(owner.cookie, 'POST', '/v1/password-resets', { personId: joined.person.id });
    expect(link.status).toBe(201);
    expect(link.body.path).toBe(`/console/reset-password#token=${encodeURIComponent(link.body.token)}`);
    expect(await dump()).not.toContain(link.body.token);
    const done = await call(app, 'POST', '/v1/password-resets/complete', { body: { token: link.body.token, password: 'a brand new password' } });
    expect(done.status).toBe(204);
    expect((await browser(joined.cookie, 'GET', '/v1/me')).status).toBe(401);
    expect((await signIn('198.51.100.6', { email: joined.email, password: PASSWORD })).status).toBe(401);
    expect((await signIn('198.51.100.6', { email: joined.email, password: 'a brand new password' })).status).toBe(201);
    expect((await call(app, 'POST', '/v1/password-resets/complete', { body: { token: link.body.token, password: 'yet another password' } })).status).toBe(404);
  });

  it('an operator can make a link for anyone', async () => {
    const owner = await consoleSignup();
    const res = await call(app, 'POST', '/v1/password-resets', { key: await adminKey(deps), body: { personId: owner.person.id } });
    expect(res.status).toBe(201);
  });
});

describe('bad input', () => {
  it('answers problem+json 400 for every new endpoint and writes nothing', async () => {
    const owner = await consoleSignup();
    const before = await itemCount();
    const cases: [string, string, unknown, string | undefined][] = [
      ['POST', '/v1/signup', { role: 'advertiser', name: 'Short', email: email('s'), password: 'short' }, 'password'],
      ['POST', '/v1/sessions', { email: 'not-an-email', password: PASSWORD }, 'email'],
      ['POST', '/v1/people/invites', { email: 'nope' }, 'email'],
      ['POST', '/v1/invites/accept', { token: 'pli_x', name: '', password: PASSWORD }, 'name'],
      ['POST', '/v1/password-resets', {}, 'personId'],
      ['POST', '/v1/password-resets/complete', { token: 'plr_x', password: 'short' }, 'password'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await browserProblem(owner.cookie, method, path, body);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.problem.errors?.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await itemCount()).toBe(before);
  });

  it('answers an unknown invite or reset token 404', async () => {
    expect((await call(app, 'POST', '/v1/invites/accept', { body: { token: 'pli_unknown', name: 'X', password: PASSWORD } })).status).toBe(404);
    expect((await call(app, 'POST', '/v1/password-resets/complete', { body: { token: 'plr_unknown', password: PASSWORD } })).status).toBe(404);
  });

  it('still signs up without a password, as programs do (API key, no person)', async () => {
    const { key } = await signup(app, 'advertiser');
    const me = await call(app, 'GET', '/v1/me', { key });
    expect(me.status).toBe(200);
    expect(me.body.person).toBeUndefined();
  });
});
