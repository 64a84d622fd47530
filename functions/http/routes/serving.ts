import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { decidePlacements } from '../../app/serving/decide-placements.js';
import { serveEngine } from '../../app/serving/serve-engine.js';
import { viewerFromHeaders } from '../../core/serving/user-agent.js';
import type { ViewerInput } from '../../core/serving/viewer.js';
import { authenticate, caller } from '../auth.js';
import type { AppEnv } from '../env.js';
import { fieldIssues } from '../../core/shared/inputs.js';
import { validationProblem } from '../problem.js';
import { DecisionRequestSchema, PlacementsRequestSchema, type DecisionRequest, type PlacementsRequest } from '../../core/serving/inputs.js';
import { DecisionQuerySchema } from '../serve-schemas.js';
import { pageOrigin, requestSource } from '../source.js';

/**
 * The serve function's routes: POST /v1/decisions (public, called from pages, so CORS) and the
 * tracking endpoints. Tracking always answers the same way (a GIF, a redirect) whether or not the
 * event bills: a forger learns nothing from the response. Likewise a public decision without an
 * ad says no more than `{ad: null}`; the unit's owner sees why with `?debug=true` and their key.
 */

export const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (ch) => ch.charCodeAt(0));
export const NO_STORE = { 'cache-control': 'no-store, max-age=0' };
export const SERVER_KEY_HEADER = 'x-placard-unit-key';

/** Device, OS and region from the request's headers (user agent, CDN viewer location): the caller's own values win. */
export function headerViewer(c: Context<AppEnv>): ViewerInput {
  return viewerFromHeaders({
    userAgent: c.req.header('user-agent'),
    country: c.req.header('cloudfront-viewer-country'),
    countryRegion: c.req.header('cloudfront-viewer-country-region'),
  });
}

/** One unit (`adUnitId`) or several (`placements`), with the viewer completed from the headers. */
async function decisionBody(c: Context<AppEnv>): Promise<DecisionRequest | PlacementsRequest | Response> {
  const raw: unknown = await c.req.json().catch(() => undefined);
  const parsed = (typeof raw === 'object' && raw !== null && 'placements' in raw ? PlacementsRequestSchema : DecisionRequestSchema).safeParse(raw);
  if (!parsed.success) return validationProblem(fieldIssues(parsed.error.issues));
  return { ...parsed.data, viewer: { ...headerViewer(c), ...parsed.data.viewer } };
}

/** A public answer without an ad says only `ad: null`. */
const publicNoAd = <T extends { ad: unknown; reason?: unknown }>(d: T): Omit<T, 'reason'> | T => {
  if (d.ad !== null) return d;
  const { reason: _hidden, ...rest } = d;
  return rest;
};

/**
 * CORS for decisions, which any page may ask for: a preflight is answered here, and every other
 * answer (errors included) gets `access-control-allow-origin: *` once it is made. Not hono's
 * `cors`: it sets headers on `c.res` before the route answers, so hono merges the two responses
 * and the answer becomes a streamed web Response — about a third of a decision's CPU went to
 * building and streaming it instead of node-server writing the JSON string in one go.
 */
const anyPage: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'OPTIONS')
    return c.body(null, 204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST,OPTIONS',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '86400',
    });
  await next();
  c.res.headers.set('access-control-allow-origin', '*');
};

export const servingRoutes = new Hono<AppEnv>()
  .use('/v1/decisions', anyPage)
  .post('/v1/decisions', authenticate({ sessions: false }), async (c) => {
    const query = DecisionQuerySchema.safeParse(c.req.query());
    if (!query.success) return validationProblem(fieldIssues(query.error.issues));
    const debug = query.data.debug === 'true';
    const debugTenantId = debug ? caller(c).tenantId : undefined;
    const body = await decisionBody(c);
    if (body instanceof Response) return body;
    const source = { ...requestSource(c), origin: pageOrigin(c), serverKey: c.req.header(SERVER_KEY_HEADER), ...(debug ? { debugTenantId } : {}) };
    if ('placements' in body) {
      const answer = await decidePlacements(c.var.deps, body, source);
      return c.json(debug ? answer : { ...answer, decisions: answer.decisions.map(publicNoAd) }, 200, NO_STORE);
    }
    const result = await serveEngine(c.var.deps).decide(body, source);
    return c.json(debug ? result : publicNoAd(result), 200, NO_STORE);
  })
  .get('/t/i/:token', async (c) => {
    await serveEngine(c.var.deps).track(c.req.param('token'), 'i', requestSource(c));
    return c.body(PIXEL, 200, { 'content-type': 'image/gif', ...NO_STORE });
  })
  .get('/t/c/:token', async (c) => {
    const { landingUrl } = await serveEngine(c.var.deps).track(c.req.param('token'), 'c', requestSource(c));
    return c.redirect(landingUrl ?? c.var.deps.config.PUBLIC_BASE_URL ?? '/', 302);
  });
