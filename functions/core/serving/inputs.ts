// zod/mini, not zod: these schemas are in the serve bundle, which must stay small.
import * as z from 'zod/mini';
import { idMaxLength, idPattern } from '../shared/ids.js';

/**
 * What a page or a server sends to ask for ads, one schema per input (the serve app validates
 * with them, the api app documents them); the engine takes the types derived from them.
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
/** What a caller says of the viewer (the engine completes device, OS and region from the headers). */
export type Viewer = z.output<typeof viewer>;
const page = z.optional(z.object({ url: z.url(), keywords: z.optional(z.array(label).check(z.maxLength(50))) }));
const adUnitId = z.string().check(z.maxLength(idMaxLength('unit')), z.regex(idPattern('unit'), 'must be a unit_… id'));
/** The `frequencyToken` of the viewer's previous decision, as it came. */
const frequencyToken = z.optional(z.string().check(z.minLength(1), z.maxLength(4000)));

/** Placements one request may ask for: more ad slots than any page shows. */
export const MAX_PLACEMENTS = 20;

export const DecisionRequestSchema = z.object({ adUnitId, viewer, page, frequencyToken });
export type DecisionRequest = z.output<typeof DecisionRequestSchema>;

/** Several units on one page: one decision each, no campaign (and, if asked, no advertiser) twice. */
export const PlacementsRequestSchema = z.object({
  placements: z.array(z.object({ adUnitId })).check(z.minLength(1), z.maxLength(MAX_PLACEMENTS)),
  uniqueAdvertisers: z.optional(z.boolean()),
  viewer,
  page,
  frequencyToken,
});
export type PlacementsRequest = z.output<typeof PlacementsRequestSchema>;

/** The image tag's path: the unit and the sender's per-recipient key (a merge tag's value, or a per-send id). */
export const ImageTagParamsSchema = z.object({ unit: adUnitId, key: z.string().check(z.minLength(1), z.maxLength(200)) });
