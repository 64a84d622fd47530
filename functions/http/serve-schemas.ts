// zod/mini, not @hono/zod-openapi: these schemas are in the serve bundle, which must stay small.
import * as z from 'zod/mini';

/**
 * The serve routes' query and response schemas; the request bodies are core's
 * (core/serving/inputs.ts). The api app documents POST /v1/decisions and /t/* in /openapi.json
 * from the same schemas (z.toJSONSchema), so the document cannot drift from what is checked.
 */

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
