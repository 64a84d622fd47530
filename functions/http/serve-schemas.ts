// zod/mini, not @hono/zod-openapi: these schemas are in the serve bundle, which must stay small.
import * as z from 'zod/mini';
import { idMaxLength, idPattern } from '../core/shared/ids.js';

/**
 * The serve routes' request schemas. The serve app validates with them; the api app documents
 * POST /v1/decisions and /t/* in /openapi.json from the same schemas (z.toJSONSchema), so the
 * document cannot drift from what is checked.
 */

const label = z.string().check(z.minLength(1), z.maxLength(100));

const viewer = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  region: z.optional(label),
  gender: z.optional(label),
  ageBand: z.optional(label),
  interests: z.optional(z.array(label).check(z.maxLength(50))),
  device: z.optional(label),
  os: z.optional(label),
});
const page = z.optional(z.object({ url: z.url(), keywords: z.optional(z.array(label).check(z.maxLength(50))) }));
const adUnitId = z.string().check(z.maxLength(idMaxLength('unit')), z.regex(idPattern('unit'), 'must be a unit_… id'));
/** The `frequencyToken` of the viewer's previous decision, as it came. */
const frequencyToken = z.optional(z.string().check(z.minLength(1), z.maxLength(4000)));

/** Placements one request may ask for: more ad slots than any page shows. */
export const MAX_PLACEMENTS = 20;

export const DecisionRequestSchema = z.object({ adUnitId, viewer, page, frequencyToken });

/** Several units on one page: one decision each, no campaign (and, if asked, no advertiser) twice. */
export const PlacementsRequestSchema = z.object({
  placements: z.array(z.object({ adUnitId })).check(z.minLength(1), z.maxLength(MAX_PLACEMENTS)),
  uniqueAdvertisers: z.optional(z.boolean()),
  viewer,
  page,
  frequencyToken,
});

/** `?debug=true` with the unit owner's API key: a no-ad answer says why. */
export const DecisionQuerySchema = z.object({ debug: z.optional(z.enum(['true', 'false'])) });

export const CreativeResponseSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  imageUrl: z.string(),
  landingUrl: z.string(),
  callToAction: z.string(),
});

const decisionResponse = [
  z.object({
    decisionId: z.string(),
    ad: z.object({ campaignId: z.string(), creative: CreativeResponseSchema, impressionUrl: z.string(), clickUrl: z.string() }),
    frequencyToken: z.string(),
  }),
  z.object({ ad: z.null(), reason: z.optional(z.string()) }),
] as const;

export const DecisionResponseSchema = z.union(decisionResponse);

/** One placement's answer: the decision, with the unit's size and, when there is no ad, the owner's fallback HTML. */
const placementUnit = { adUnitId: z.string(), width: z.number(), height: z.number() };
export const PlacementsResponseSchema = z.object({
  decisions: z.array(
    z.union([z.extend(decisionResponse[0], placementUnit), z.extend(decisionResponse[1], { ...placementUnit, fallbackHtml: z.optional(z.string()) })]),
  ),
  frequencyToken: z.optional(z.string()),
});

/** The image tag's path: the unit and the sender's per-recipient key (a merge tag's value, or a per-send id). */
export const ImageTagParamsSchema = z.object({ unit: adUnitId, key: z.string().check(z.minLength(1), z.maxLength(200)) });
