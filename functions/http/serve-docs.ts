import type { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod/mini';
import type { AppEnv } from './env.js';
import { errorResponses, problemContent } from './openapi.js';
import { DecisionRequestSchema, DecisionResponseSchema } from './serve-schemas.js';

/**
 * Documents the serve function's routes in the api app's /openapi.json. They are served by the
 * serve app (plain Hono, zod/mini), so their JSON Schemas come from the very schemas it validates with.
 */
export function registerServeDocs(app: OpenAPIHono<AppEnv>): void {
  const json = (schema: z.ZodMiniType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as object } });
  const token = [{ name: 'token', in: 'path' as const, required: true, schema: { type: 'string' as const }, description: 'A signed, expiring tracking token from a decision' }];
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/decisions',
    tags: ['Serving'],
    summary: 'Ask for an ad for an ad unit and a viewer (public, CORS; the serve function)',
    description:
      'Targeting, schedule, budget, frequency cap, the unit’s floor and blocked categories, pacing, then a second-price auction on eCPM. `viewer.id` is an opaque id the page hashes; no cookies. ' +
      'The body is JSON, sent as `application/json` or as `text/plain`: a `text/plain` POST is a CORS-simple request, so a page can ask without a preflight round trip (as `navigator.sendBeacon` and most ad tags do). Other content types are read as JSON too and refused (400) when they are not.',
    request: { body: { content: { ...json(DecisionRequestSchema), 'text/plain': json(DecisionRequestSchema)['application/json'] }, required: true } },
    responses: {
      200: { description: 'An ad with its tracking URLs, or `ad: null` with the reason', content: json(DecisionResponseSchema) },
      400: errorResponses[400],
      404: errorResponses[404],
      413: problemContent('The body is over the size limit'),
      500: problemContent('Something went wrong on our side; the detail quotes the request id'),
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/t/i/{token}',
    tags: ['Serving'],
    summary: 'Impression pixel: bills a CPM impression once; always a 1×1 GIF',
    parameters: token,
    responses: { 200: { description: 'A 1×1 transparent GIF', content: { 'image/gif': { schema: { type: 'string', format: 'binary' } } } } },
  } as never);
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/t/c/{token}',
    tags: ['Serving'],
    summary: 'Click: bills a CPC click once, only after its impression; always redirects to the landing page',
    parameters: token,
    responses: { 302: { description: 'To the creative’s landing URL' } },
  } as never);
}
