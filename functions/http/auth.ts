import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { sessionPrincipal, type StartedSession } from '../app/people/sessions.js';
import { mayManage } from '../core/people/people.js';
import { ForbiddenError, UnauthorizedError } from '../core/shared/errors.js';
import { hashApiKey, type Principal, type Role } from '../core/tenants/tenants.js';
import { tenantStore } from '../store/tenants.js';
import type { AppEnv } from './env.js';

/** The console's session cookie (HttpOnly, SameSite=Lax, Path=/, Secure but on localhost: routes/people.ts sets it). */
export const SESSION_COOKIE = 'placard_session';

/** Sets the session cookie: HttpOnly, SameSite=Lax, Path=/, and Secure except on this machine (plain http). */
export function setSessionCookie(c: Context<AppEnv>, session: StartedSession): void {
  const host = new URL(c.req.url).hostname;
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: host !== 'localhost' && host !== '127.0.0.1',
    maxAge: session.maxAgeSeconds,
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller when they say who they are; routes decide whether they need one.
 * - `Authorization: Bearer <key>`: an API key (programs).
 * - Otherwise the session cookie (people in the console). A cookie the API no longer knows
 *   (signed out, expired, password reset, person removed) leaves the caller anonymous and marked,
 *   so endpoints that need a caller answer 401 while sign-in still works.
 * CSRF: a state-changing request that carries the cookie must come with an `Origin` of this
 * very origin, and one that names a foreign `Origin` is refused whatever its credentials (403).
 * `sessions: false` is for public cross-origin endpoints (decisions asked from publishers'
 * pages): no cookie is read there, so only an API key identifies a caller and no CSRF check applies.
 */
export function authenticate(options: { sessions?: boolean } = {}): MiddlewareHandler<AppEnv> {
  const sessions = options.sessions ?? true;
  return async (c, next) => {
    const header = c.req.header('authorization');
    const cookie = header === undefined && sessions ? getCookie(c, SESSION_COOKIE) : undefined;
    if (sessions && !SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header('origin');
      if ((cookie !== undefined || origin !== undefined) && origin !== ownOrigin(c)) {
        throw new ForbiddenError('Cross-origin request refused: a request signed in by cookie must come from this origin (Origin header)');
      }
    }
    const { db, clock, ids } = c.var.deps;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new UnauthorizedError('Use Authorization: Bearer <api key>');
      const principal = await tenantStore(db, clock, ids).principalByHash(hashApiKey(match[1]));
      if (!principal) throw new UnauthorizedError('Unknown or revoked API key');
      c.set('principal', principal);
    } else if (cookie !== undefined) {
      const principal = await sessionPrincipal(c.var.deps, cookie);
      if (principal) c.set('principal', principal);
      else c.set('sessionEnded', true);
    }
    await next();
  };
}

/** The origin this request was addressed to; behind the console's CloudFront, the host the browser used (`X-Forwarded-Host`). */
function ownOrigin(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  return `${url.protocol}//${c.req.header('x-forwarded-host') ?? url.host}`;
}

/** The caller, who must hold one of the roles (any role when none are named). */
export function caller(c: Context<AppEnv>, ...allowed: Role[]): Principal {
  const principal = c.var.principal;
  if (!principal) {
    throw new UnauthorizedError(
      c.var.sessionEnded ? 'Your session has ended; sign in again' : 'This endpoint needs an API key (Authorization: Bearer <api key>) or a session',
    );
  }
  if (allowed.length > 0 && !allowed.includes(principal.role)) {
    throw new ForbiddenError(`This endpoint is for ${allowed.join(' or ')} keys; yours is ${principal.role}`);
  }
  return principal;
}

/** A caller who may manage people and API keys: an API key or the tenant's owner, never a member. */
export function manager(c: Context<AppEnv>, ...allowed: Role[]): Principal {
  const principal = caller(c, ...allowed);
  if (!mayManage(principal.person)) throw new ForbiddenError('Only the owner manages people and API keys');
  return principal;
}

/** A route's access check (see `access` in openapi.ts): runs before the route validates its input. */
export function requireCaller(roles: readonly Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    caller(c, ...roles);
    await next();
  };
}
