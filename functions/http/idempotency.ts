import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ValidationError } from '../core/shared/errors.js';
import { idempotencyStore } from '../store/idempotency.js';
import type { AppEnv } from './env.js';

const HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
/** How long a claimed key blocks retries before a crashed request's claim may be taken over. */
const LOCK_SECONDS = 60;

/**
 * `Idempotency-Key` on POSTs: the first request with a key runs; a retry with the same key and
 * body gets the first (successful) response again; the same key with another body gets 422.
 * Keys are scoped to the caller's tenant. Failed requests free the key so they can be retried.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header(HEADER);
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new ValidationError('Invalid Idempotency-Key', [{ field: 'Idempotency-Key', message: `must be 1 to ${MAX_KEY_LENGTH} characters` }]);
    }
    const { db, clock, config } = c.var.deps;
    const store = idempotencyStore(db);
    const scope = c.var.principal?.tenantId ?? 'public';
    const body = await c.req.text();
    const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');
    const claim = await store.claim(scope, key, requestHash, clock(), config.IDEMPOTENCY_TTL_HOURS * 3600, LOCK_SECONDS);
    if (claim.kind === 'replay') {
      const { status, body: stored, contentType } = claim.response;
      return new Response(stored, { status, headers: { 'content-type': contentType, 'idempotent-replayed': 'true' } });
    }
    try {
      await next();
    } catch (error) {
      await store.release(scope, key);
      throw error;
    }
    // Errors thrown downstream are turned into responses by onError before they reach here.
    // A response marked no-store carries a secret (a session, an invite link), which is never kept in a record.
    if (c.res.status >= 200 && c.res.status < 300 && !c.res.headers.get('cache-control')?.includes('no-store')) {
      const response = c.res.clone();
      await store.complete(scope, key, { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? 'application/json' });
    } else {
      await store.release(scope, key);
    }
  };
}
