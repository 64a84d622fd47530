import type { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod/mini';
import type { AppEnv } from './env.js';
import { errorResponses, problemContent } from './openapi.js';
import { DecisionRequestSchema, ImageTagParamsSchema, PlacementsRequestSchema } from '../core/serving/inputs.js';
import { DecisionResponseSchema, PlacementsResponseSchema } from './serve-schemas.js';

/**
 * Documents the serve function's routes in the api app's /openapi.json. They are served by the
 * serve app (plain Hono, zod/mini), so their JSON Schemas come from the very schemas it validates with.
 */
export function registerServeDocs(app: OpenAPIHono<AppEnv>): void {
  const json = (schema: z.ZodMiniType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as object } });
  const token = [
    {
      name: 'token',
      in: 'path' as const,
      required: true,
      schema: { type: 'string' as const },
      description: 'A signed, expiring tracking token from a decision',
    },
  ];
  const requestBody = json(z.union([DecisionRequestSchema, PlacementsRequestSchema]));
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/decisions',
    tags: ['Serving'],
    summary: 'Ask for an ad for an ad unit, or for each of several on one page, and a viewer (public, CORS; the serve function)',
    description:
      'Targeting, schedule, budget, frequency cap, the unit’s floor and blocked categories, pacing, then a second-price auction on eCPM. `viewer.id` is an opaque id the page hashes; no cookies. ' +
      'With `placements` (the JavaScript tag’s form) the answer has one decision per placement, in order, and no campaign appears twice (with `uniqueAdvertisers`, no advertiser). ' +
      'Device and OS the caller leaves out are read from the User-Agent, and the region from CloudFront-Viewer-Country(-Region) when a CDN sets them. ' +
      'Send back the `frequencyToken` of the viewer’s previous answer. A unit with `allowedOrigins` answers only pages on them (`Origin`, else `Referer`); server-to-server callers send the unit’s key as `X-Placard-Unit-Key` instead. ' +
      'Decisions are limited per source (network and user agent): DECISIONS_PER_SOURCE_PER_MINUTE (default 6 000) and DECISIONS_PER_VIEWER_PER_MINUTE per viewer id (default 120); over them, 429. ' +
      'No ad answers `{"ad": null}`; with `?debug=true` and the unit owner’s API key it says why. ' +
      'The body is JSON, sent as `application/json` or as `text/plain`: a `text/plain` POST is a CORS-simple request, so a page can ask without a preflight round trip (as `navigator.sendBeacon` and most ad tags do). Other content types are read as JSON too and refused (400) when they are not.',
    parameters: [
      {
        name: 'debug',
        in: 'query' as const,
        required: false,
        schema: { type: 'string' as const, enum: ['true', 'false'] },
        description: 'With the unit owner’s API key: say why there is no ad',
      },
    ],
    request: { body: { content: { ...requestBody, 'text/plain': requestBody['application/json'] }, required: true } },
    responses: {
      200: {
        description:
          'An ad with its tracking URLs and the next frequency token, or `ad: null` (with the reason for the owner’s debug request); with `placements`, one such decision per placement with the unit’s size (and its fallback HTML when there is no ad)',
        content: json(z.union([DecisionResponseSchema, PlacementsResponseSchema])),
      },
      400: errorResponses[400],
      401: problemContent('`?debug=true` without an API key, or a wrong `X-Placard-Unit-Key`'),
      404: errorResponses[404],
      413: problemContent('The body is over the size limit'),
      429: problemContent('Too many decisions from this source; `Retry-After` says when to try again'),
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
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/t/c/{token}',
    tags: ['Serving'],
    summary: 'Click: bills a CPC click once, only after its impression; always redirects to the landing page',
    parameters: token,
    responses: { 302: { description: 'To the creative’s landing URL' } },
  });
  const imageTag = (z.toJSONSchema(ImageTagParamsSchema, { target: 'openapi-3.0' }) as { properties: Record<string, object> }).properties;
  const imageParams = [
    { name: 'unit', in: 'path' as const, required: true, schema: imageTag.unit, description: 'The ad unit' },
    { name: 'key', in: 'path' as const, required: true, schema: imageTag.key, description: 'The sender’s per-recipient merge tag value, or a per-send id' },
  ];
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/tag.js',
    tags: ['Ad tags'],
    summary: 'The JavaScript ad tag for web and H5 pages (cached a year with ?v=<version>, as the units’ code links it)',
    responses: { 200: { description: 'The tag', content: { 'text/javascript': { schema: { type: 'string' } } } }, 304: { description: 'Not modified' } },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/e/i/{unit}/{key}',
    tags: ['Ad tags'],
    summary: 'Image tag open: decides for this recipient, counts the impression (billed once), redirects to the creative’s image',
    parameters: imageParams,
    responses: {
      302: { description: 'To the creative’s image' },
      200: { description: 'No ad: a 1×1 transparent GIF', content: { 'image/gif': { schema: { type: 'string', format: 'binary' } } } },
      400: errorResponses[400],
      404: errorResponses[404],
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/e/c/{unit}/{key}',
    tags: ['Ad tags'],
    summary: 'Image tag click: the same recipient’s decision, the click (billed once, only after an open), redirect to the landing page',
    parameters: imageParams,
    responses: { 302: { description: 'To the landing page' }, 400: errorResponses[400], 404: errorResponses[404] },
  });
}
