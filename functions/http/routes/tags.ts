import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { clickImage } from '../../app/tags/click-image.js';
import type { ImageTagRequest } from '../../app/tags/image-decision.js';
import { openImage } from '../../app/tags/open-image.js';
import { TAG_SCRIPT, TAG_VERSION } from '../../tag/tag-script.js';
import type { AppEnv } from '../env.js';
import { fieldIssues } from '../../core/shared/inputs.js';
import { validationProblem } from '../problem.js';
import { ImageTagParamsSchema } from '../../core/serving/inputs.js';
import { requestSource } from '../source.js';
import { headerViewer, NO_STORE, PIXEL } from './serving.js';

/**
 * The ad tags' routes on the serve function (README "Ad tags"):
 * - GET /tag.js — the JavaScript tag. `?v=<its version>` (what the units' code links) is cached
 *   for a year; any other URL for an hour, so a page with an old link gets the new tag soon.
 * - GET /e/i/{unit}/{key} — the image tag's open: decides, counts the impression, redirects to
 *   the creative's image (a transparent GIF when there is no ad).
 * - GET /e/c/{unit}/{key} — its click: the same decision, the click, a redirect to the landing page.
 */

const GZIPPED = gzipSync(TAG_SCRIPT, { level: 9 });
const YEAR_SECONDS = 31_536_000;
const HOUR_SECONDS = 3600;
// Weak: the gzipped and plain bodies are the same script.
const ETAG = `W/"${TAG_VERSION}"`;

function imageRequest(c: Context<AppEnv>): ImageTagRequest | Response {
  const parsed = ImageTagParamsSchema.safeParse(c.req.param());
  return parsed.success
    ? { adUnitId: parsed.data.unit, key: parsed.data.key, viewer: headerViewer(c), source: requestSource(c) }
    : validationProblem(fieldIssues(parsed.error.issues));
}

export const tagRoutes = new Hono<AppEnv>()
  .get('/tag.js', (c) => {
    const maxAge = c.req.query('v') === TAG_VERSION ? `${YEAR_SECONDS}, immutable` : String(HOUR_SECONDS);
    const cache = { 'cache-control': `public, max-age=${maxAge}`, etag: ETAG, vary: 'accept-encoding' };
    if (c.req.header('if-none-match')?.includes(ETAG)) return c.body(null, 304, cache);
    const headers = { ...cache, 'content-type': 'text/javascript; charset=utf-8' };
    if (!/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) return c.body(TAG_SCRIPT, 200, headers);
    return c.body(GZIPPED, 200, { ...headers, 'content-encoding': 'gzip' });
  })
  .get('/e/i/:unit/:key', async (c) => {
    const req = imageRequest(c);
    if (req instanceof Response) return req;
    const { imageUrl } = await openImage(c.var.deps, req);
    if (imageUrl === undefined) return c.body(PIXEL, 200, { 'content-type': 'image/gif', ...NO_STORE });
    // Each open must reach us to count; mail clients that cache anyway count once.
    c.header('cache-control', NO_STORE['cache-control']);
    return c.redirect(imageUrl, 302);
  })
  .get('/e/c/:unit/:key', async (c) => {
    const req = imageRequest(c);
    if (req instanceof Response) return req;
    const { landingUrl } = await clickImage(c.var.deps, req);
    return c.redirect(landingUrl ?? c.var.deps.config.PUBLIC_BASE_URL ?? '/', 302);
  });
