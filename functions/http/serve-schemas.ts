// zod/mini, not @hono/zod-openapi: these schemas are in the serve bundle, which must stay small.
import * as z from 'zod/mini';
import { idMaxLength, idPattern } from '../core/shared/ids.js';

/**
 * The serve routes' request schemas. The serve app validates with them; the api app documents
 * POST /v1/decisions and /t/* in /openapi.json from the same schemas (z.toJSONSchema), so the
 * document cannot drift from what is checked.
 */

const label = z.string().check(z.minLength(1), z.maxLength(100));

export const DecisionRequestSchema = z.object({
  adUnitId: z.string().check(z.maxLength(idMaxLength('unit')), z.regex(idPattern('unit'), 'must be a unit_… id')),
  viewer: z.object({
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    region: z.optional(label),
    gender: z.optional(label),
    ageBand: z.optional(label),
    interests: z.optional(z.array(label).check(z.maxLength(50))),
    device: z.optional(label),
    os: z.optional(label),
  }),
  page: z.optional(z.object({ url: z.url(), keywords: z.optional(z.array(label).check(z.maxLength(50))) })),
});

export const CreativeResponseSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  imageUrl: z.string(),
  landingUrl: z.string(),
  callToAction: z.string(),
});

export const DecisionResponseSchema = z.union([
  z.object({
    decisionId: z.string(),
    ad: z.object({ campaignId: z.string(), creative: CreativeResponseSchema, impressionUrl: z.string(), clickUrl: z.string() }),
  }),
  z.object({ ad: z.null(), reason: z.string() }),
]);

export const TrackingParamsSchema = z.object({ token: z.string().check(z.minLength(1), z.maxLength(2000)) });
