import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { healthResponse } from '../health.js';
import { jsonContent, router } from '../openapi.js';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    table: z.enum(['ok', 'unreachable']),
    jobsLastRunAt: z.string().nullable(),
  })
  .openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['System'],
  summary: 'Liveness, and whether the table answers',
  responses: { 200: jsonContent(HealthSchema, 'Healthy'), 503: jsonContent(HealthSchema, 'The table does not answer') },
});

/** The handler is shared with the serve app (which has no zod-openapi), so only its docs are registered here. */
export const systemRoutes = router();
systemRoutes.get('/health', healthResponse);
systemRoutes.openAPIRegistry.registerPath(health);

const DOCS_ASSETS = { 'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript' } as const;

function docsAssetsDir(configured: string | undefined): string {
  if (configured) return configured;
  const require = createRequire(import.meta.url);
  return join(require.resolve('swagger-ui-dist/package.json'), '..');
}

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Placard API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

// A separate file, not inline script, so a strict Content-Security-Policy can stay on.
const docsInit = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true });`;

/** Only this origin's scripts, styles (swagger-ui also sets inline styles), images and API; never framed. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Interactive docs whose assets come from the swagger-ui-dist package: nothing from a CDN. */
export const docsRoutes = router()
  .get('/docs', (c) => c.html(docsPage, 200, { 'content-security-policy': DOCS_CSP }))
  .get('/docs/init.js', (c) => c.body(docsInit, 200, { 'content-type': 'text/javascript' }))
  .get('/docs/:asset', async (c) => {
    const asset = c.req.param('asset');
    if (!Object.hasOwn(DOCS_ASSETS, asset)) return c.notFound();
    const body = await readFile(join(docsAssetsDir(c.var.deps.config.DOCS_ASSETS_DIR), asset));
    return c.body(body, 200, { 'content-type': DOCS_ASSETS[asset as keyof typeof DOCS_ASSETS], 'cache-control': 'public, max-age=86400' });
  });
