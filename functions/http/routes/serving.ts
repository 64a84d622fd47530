import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { serveEngine, type DecisionRequest } from '../../store/serve-engine.js';
import { authenticate, caller } from '../auth.js';
import type { AppEnv } from '../env.js';
import { fieldIssues, validationProblem } from '../problem.js';
import { DecisionQuerySchema, DecisionRequestSchema } from '../serve-schemas.js';
import { pageOrigin, requestSource } from '../source.js';

/**
 * The serve function's routes: POST /v1/decisions (public, called from pages, so CORS) and the
 * tracking endpoints. Tracking always answers the same way (a GIF, a redirect) whether or not the
 * event bills: a forger learns nothing from the response. Likewise a public decision without an
 * ad says no more than `{ad: null}`; the unit's owner sees why with `?debug=true` and their key.
 */

const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (ch) => ch.charCodeAt(0));
const NO_STORE = { 'cache-control': 'no-store, max-age=0' };
export const SERVER_KEY_HEADER = 'x-placard-unit-key';

async function decisionBody(c: Context<AppEnv>): Promise<DecisionRequest | Response> {
  const raw: unknown = await c.req.json().catch(() => undefined);
  const parsed = DecisionRequestSchema.safeParse(raw);
  return parsed.success ? parsed.data : validationProblem(fieldIssues(parsed.error.issues));
}

export const servingRoutes = new Hono<AppEnv>()
  .use('/v1/decisions', cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['content-type'], maxAge: 86_400 }))
  .post('/v1/decisions', authenticate(), async (c) => {
    const query = DecisionQuerySchema.safeParse(c.req.query());
    if (!query.success) return validationProblem(fieldIssues(query.error.issues));
    const debug = query.data.debug === 'true';
    const debugTenantId = debug ? caller(c).tenantId : undefined;
    const body = await decisionBody(c);
    if (body instanceof Response) return body;
    const source = { ...requestSource(c), origin: pageOrigin(c), serverKey: c.req.header(SERVER_KEY_HEADER), ...(debug ? { debugTenantId } : {}) };
    const result = await serveEngine(c.var.deps).decide(body, source);
    return c.json(result.ad === null && !debug ? { ad: null } : result, 200, NO_STORE);
  })
  .get('/t/i/:token', async (c) => {
    await serveEngine(c.var.deps).track(c.req.param('token'), 'i', requestSource(c));
    return c.body(PIXEL, 200, { 'content-type': 'image/gif', ...NO_STORE });
  })
  .get('/t/c/:token', async (c) => {
    const { landingUrl } = await serveEngine(c.var.deps).track(c.req.param('token'), 'c', requestSource(c));
    return c.redirect(landingUrl ?? c.var.deps.config.PUBLIC_BASE_URL ?? '/', 302);
  });
