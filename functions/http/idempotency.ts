import { createHash, randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { IdempotencyInProgressError, IdempotencyMismatchError, ValidationError } from '../core/shared/errors.js';
import { idempotencyStore, type StoredResponse } from '../store/idempotency.js';
import type { WriteUnit } from '../store/client.js';
import type { AppEnv } from './env.js';

const HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
/** How long a claimed key blocks retries before a crashed request's claim may be taken over. */
const LOCK_SECONDS = 60;

/**
 * `Idempotency-Key` on POSTs: the first request with a key runs; a retry with the same key and
 * body gets the first (successful) response again; the same key with another body gets 422.
 * Keys are scoped to the caller's tenant; anonymous requests (signup) have no scope to share, so
 * their key is checked and otherwise ignored. Failed requests free the key so they can be retried.
 *
 * The request's writes are held back (a write unit on its `db`) and commit in one transaction
 * with the key's completion and the response: a crash leaves the effect and its response both
 * recorded or neither, never the effect alone. A response that carries a secret (`carriesSecret`)
 * is not stored: a replay answers 409 naming what the first request created.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header(HEADER);
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new ValidationError('Invalid Idempotency-Key', [{ field: 'Idempotency-Key', message: `must be 1 to ${MAX_KEY_LENGTH} characters` }]);
    }
    const scope = c.var.principal?.tenantId;
    if (scope === undefined) return next();
    const deps = c.var.deps;
    const store = idempotencyStore(deps.db);
    const body = await c.req.text();
    const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');
    const claim = await store.claim(scope, key, requestHash, randomUUID(), deps.clock(), deps.config.IDEMPOTENCY_TTL_HOURS * 3600, LOCK_SECONDS);
    if (claim.kind === 'mismatch') throw new IdempotencyMismatchError('This Idempotency-Key was used with a different request');
    if (claim.kind === 'in_progress') throw new IdempotencyInProgressError('A request with this Idempotency-Key is still in progress');
    if (claim.kind === 'replay') {
      const { status, body: stored, contentType } = claim.response;
      return new Response(stored, { status, headers: { 'content-type': contentType, 'idempotent-replayed': 'true' } });
    }
    const unit: WriteUnit = {};
    c.set('deps', { ...deps, db: { ...deps.db, unit } });
    try {
      await next();
      // Errors thrown downstream are turned into responses by onError before they reach here.
      if (c.res.status < 200 || c.res.status >= 300) throw new FailedRequest();
      await store.commit(scope, key, claim.token, unit.pending ?? [], await storedResponse(c));
    } catch (error) {
      // The held-back writes of a failed request are dropped: it changed nothing.
      await store.release(scope, key, claim.token);
      if (!(error instanceof FailedRequest)) throw error;
    } finally {
      c.set('deps', deps);
    }
  };
}

/** The route's response carries a secret for `created` (an id): never stored, not replayed. */
export function carriesSecret(c: Context<AppEnv>, created: string): void {
  c.set('secretFor', created);
}

class FailedRequest extends Error {}

async function storedResponse(c: Context<AppEnv>): Promise<StoredResponse> {
  const created = c.var.secretFor;
  if (created !== undefined) {
    const detail = `The first request with this Idempotency-Key succeeded and created ${created}. Its response carried a secret, which is shown once and never stored; if it was lost, revoke or delete ${created} and create another.`;
    const body = { type: 'https://placard.dev/problems/idempotent-secret-withheld', title: 'Conflict', status: 409, detail, created };
    return { status: 409, body: JSON.stringify(body), contentType: 'application/problem+json' };
  }
  const response = c.res.clone();
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? 'application/json' };
}
