import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { serveEngine, type DecisionRequest } from '../../app/serving/serve-engine.js';
import type { AppEnv } from '../env.js';
import { fieldIssues, validationProblem } from '../problem.js';
import { DecisionRequestSchema } from '../serve-schemas.js';

/**
 * The serve function's routes: POST /v1/decisions (public, called from pages, so CORS) and the
 * tracking endpoints. Tracking always answers the same way (a GIF, a redirect) whether or not the
 * event bills: a forger learns nothing from the response.
 */

const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (ch) => ch.charCodeAt(0));
const NO_STORE = { 'cache-control': 'no-store, max-age=0' };

async function decisionBody(c: Context<AppEnv>): Promise<DecisionRequest | Response> {
  const raw: unknown = await c.req.json().catch(() => undefined);
  const parsed = DecisionRequestSchema.safeParse(raw);
  return parsed.success ? parsed.data : validationProblem(fieldIssues(parsed.error.issues));
}

export const servingRoutes = new Hono<AppEnv>()
  .use('/v1/decisions', cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['content-type'], maxAge: 86_400 }))
  .post('/v1/decisions', async (c) => {
    const body = await decisionBody(c);
    if (body instanceof Response) return body;
    return c.json(await serveEngine(c.var.deps).decide(body), 200, NO_STORE);
  })
  .get('/t/i/:token', async (c) => {
    await serveEngine(c.var.deps).track(c.req.param('token'), 'i');
    return c.body(PIXEL, 200, { 'content-type': 'image/gif', ...NO_STORE });
  })
  .get('/t/c/:token', async (c) => {
    const { landingUrl } = await serveEngine(c.var.deps).track(c.req.param('token'), 'c');
    return c.redirect(landingUrl ?? c.var.deps.config.PUBLIC_BASE_URL ?? '/', 302);
  });
