import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthorizedError } from '../core/shared/errors.js';
import { hashApiKey, type Principal, type Role } from '../core/tenants/tenants.js';
import { tenantStore } from '../store/tenants.js';
import type { AppEnv } from './env.js';

/** Resolves `Authorization: Bearer <key>` to a principal when the header is there; routes decide whether they need one. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new UnauthorizedError('Use Authorization: Bearer <api key>');
      const { db, clock, ids } = c.var.deps;
      const principal = await tenantStore(db, clock, ids).principalByHash(hashApiKey(match[1]));
      if (!principal) throw new UnauthorizedError('Unknown or revoked API key');
      c.set('principal', principal);
    }
    await next();
  };
}

/** The caller, who must hold one of the roles (any role when none are named). */
export function caller(c: Context<AppEnv>, ...allowed: Role[]): Principal {
  const principal = c.var.principal;
  if (!principal) throw new UnauthorizedError('This endpoint needs an API key: Authorization: Bearer <api key>');
  if (allowed.length > 0 && !allowed.includes(principal.role)) {
    throw new ForbiddenError(`This endpoint is for ${allowed.join(' or ')} keys; yours is ${principal.role}`);
  }
  return principal;
}

/** A route's access check (see `access` in openapi.ts): runs before the route validates its input. */
export function requireCaller(roles: readonly Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    caller(c, ...roles);
    await next();
  };
}
