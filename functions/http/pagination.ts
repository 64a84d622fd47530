import type { Context } from 'hono';
import { openCursor, sealCursor } from '../core/shared/cursor.js';
import { MS_PER_HOUR } from '../core/shared/time.js';
import type { AppEnv } from './env.js';

/** The list a request reads: the caller, the path and every query parameter but the page's own. */
function listScope(c: Context<AppEnv>): string {
  const filters = Object.entries(c.req.queries())
    .filter(([name]) => name !== 'cursor' && name !== 'limit')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([c.var.principal?.tenantId ?? null, c.req.path, filters]);
}

/**
 * Every list's paging: opens the client's cursor (signed, bound to the caller and the list, expiring
 * after CURSOR_TTL_HOURS: anything else is a 400), loads the page, and signs its nextCursor.
 */
export async function paged<Q extends { cursor?: string | undefined }, P extends { nextCursor?: string | undefined }>(
  c: Context<AppEnv>,
  query: Q,
  load: (query: Q) => Promise<P>,
): Promise<P> {
  const { clock, config, trackingSecret } = c.var.deps;
  const key = await trackingSecret();
  const scope = listScope(c);
  const now = clock().getTime();
  const cursor = query.cursor ? openCursor(key, scope, query.cursor, now) : undefined;
  const page = await load({ ...query, cursor });
  if (page.nextCursor === undefined) return page;
  return { ...page, nextCursor: sealCursor(key, scope, page.nextCursor, now + config.CURSOR_TTL_HOURS * MS_PER_HOUR) };
}
