import { z } from '@hono/zod-openapi';
import { validateAudience, type AudienceProfile } from '../core/marketplace/audience.js';
import { microsInput } from './openapi.js';
import {
  AD_UNIT_DEFAULT_SIZE,
  AD_UNIT_PLACEMENTS,
  AGE_BANDS,
  AUDIENCE_SOURCES,
  CATEGORIES,
  GENDERS,
  INTERESTS,
  PLATFORMS,
  REGIONS,
  SLOT_FORMATS,
  SLOT_POSITIONS,
  SLOT_STATUSES,
} from '../core/marketplace/catalog.js';
import { RECURRENCE_LIMITS, isIsoDate, validateSlotFields } from '../core/marketplace/slots.js';
import type { FieldIssue } from '../core/shared/errors.js';

/** Schemas shared by the account, slot, ad-unit, admin and marketplace routes. */

export const IsoDateSchema = z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD').openapi({ example: '2025-03-03', format: 'date' });

/** Adds issues from a core validator to a zod context, at the field paths it names. */
export function addIssues(ctx: z.RefinementCtx, issues: readonly FieldIssue[]): void {
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.field.split('.'), message: issue.message });
}

// An empty distribution says nothing a missing one would not, and DynamoDB streams an empty map
// in a form the stream decoder refused (issue 9 #17): at least one value.
const distribution = (keys: readonly string[]) =>
  z
    .record(z.string(), z.number())
    .refine((shares) => Object.keys(shares).length > 0, 'must give the share of at least one value')
    .openapi({ description: `Share of readers (0–1) per value, summing to at most 1; at least one value. Keys: ${keys.join(', ')}` });

const audienceFields = {
  followers: z.number().int().min(0),
  averageReads: z.number().int().min(0).openapi({ description: 'Average reads per post' }),
  gender: distribution(GENDERS),
  ageBand: distribution(AGE_BANDS),
  region: distribution(REGIONS),
  interests: distribution(INTERESTS),
};

const NEUTRAL_AUDIENCE: AudienceProfile = {
  followers: 0,
  averageReads: 0,
  gender: {},
  ageBand: {},
  region: {},
  interests: {},
  source: 'self_reported',
  updatedAt: new Date(0).toISOString(),
};

/** Checks the audience fields a body carries (all of them, or the few a PATCH changes) with the core's rules. */
function refineAudience(value: { audience?: Partial<Omit<AudienceProfile, 'source' | 'updatedAt'>> | undefined }, ctx: z.RefinementCtx): void {
  if (value.audience) addIssues(ctx, validateAudience({ ...NEUTRAL_AUDIENCE, ...value.audience }));
}

const accountFields = {
  platform: z.enum(PLATFORMS),
  handle: z.string().trim().min(1).max(100).openapi({ description: 'The account’s id on its platform' }),
  name: z.string().trim().min(1).max(200),
  category: z.enum(CATEGORIES),
  description: z.string().max(2000).default(''),
};

export const AccountInputSchema = z
  .object({ ...accountFields, audience: z.object(audienceFields) })
  .superRefine(refineAudience)
  .openapi('AccountInput');

export const AccountPatchSchema = z
  .object({ ...accountFields, description: z.string().max(2000), audience: z.object(audienceFields).partial() })
  .partial()
  .superRefine(refineAudience)
  .openapi('AccountPatch');

export const AudienceSchema = z.object({ ...audienceFields, source: z.enum(AUDIENCE_SOURCES), updatedAt: z.iso.datetime() }).openapi('AudienceProfile');

export const AccountSchema = z
  .object({
    id: z.string(),
    ownerTenantId: z.string(),
    ...accountFields,
    description: z.string(),
    audience: AudienceSchema,
    verification: z.object({
      status: z.enum(['unverified', 'verified', 'rejected']),
      note: z.string().optional(),
      reason: z.string().optional(),
      decidedAt: z.iso.datetime().optional(),
    }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Account');

const slotFields = {
  position: z.enum(SLOT_POSITIONS),
  format: z.enum(SLOT_FORMATS),
  committedReads: z.number().int().positive().optional().openapi({ description: 'Reads the owner commits to; ad_card only' }),
  priceMicros: microsInput('Price of the slot', 0),
};

export const SlotCreateSchema = z
  .object({
    publishDate: IsoDateSchema.optional().openapi({ description: 'One slot on this date (today or later in the market’s time zone: 400 before)…' }),
    from: IsoDateSchema.optional().openapi({ description: '…or a recurring rule: every listed weekday from `from` to `to`' }),
    to: IsoDateSchema.optional().openapi({ description: `The rule spans at most ${RECURRENCE_LIMITS.maxRangeDays} days, from and to included` }),
    weekdays: z.array(z.number().int().min(0).max(6)).max(7).optional().openapi({ description: '0 = Sunday … 6 = Saturday' }),
    ...slotFields,
  })
  .superRefine((v, ctx) => {
    const rule = v.from !== undefined || v.to !== undefined || v.weekdays !== undefined;
    if ((v.publishDate === undefined) === !rule) {
      ctx.addIssue({ code: 'custom', path: ['publishDate'], message: 'give either publishDate, or from, to and weekdays' });
    }
    addIssues(ctx, validateSlotFields(v));
  })
  .openapi('SlotCreate');

export const SlotPatchSchema = z
  .object({ publishDate: IsoDateSchema, ...slotFields, status: z.enum(['open', 'closed']) })
  .partial()
  .openapi('SlotPatch');

export const SlotSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    publishDate: IsoDateSchema,
    ...slotFields,
    status: z.enum(SLOT_STATUSES),
    orderId: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Slot');

/** An origin as browsers send it: scheme://host[:port], no path; kept lower case. */
const OriginSchema = z
  .string()
  .max(300)
  .refine(
    (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol) && new URL(v).origin === v.toLowerCase(),
    'An http(s) origin: scheme://host[:port], without a path',
  )
  .transform((v) => v.toLowerCase());

const adUnitFields = {
  placement: z.enum(AD_UNIT_PLACEMENTS),
  floorCpmMicros: microsInput(
    'Lowest price per thousand impressions. A change takes effect FLOOR_CHANGE_DELAY_HOURS later (`pendingFloor`), so floors cannot probe bids',
    0,
  ),
  blockedCategories: z.array(z.enum(CATEGORIES)).max(CATEGORIES.length).default([]).openapi({ description: 'Advertiser categories refused on this unit' }),
  allowedOrigins: z.array(OriginSchema).max(50).default([]).openapi({
    description:
      'Origins (e.g. https://news.example.com) whose pages may ask for ads; a browser decision from elsewhere gets no ad. Empty: any origin. Server-to-server callers use the unit’s server key instead',
  }),
  enabled: z.boolean().default(true),
  width: z.number().int().min(1).max(2000).default(AD_UNIT_DEFAULT_SIZE.width).openapi({ description: 'The ad’s width on the page, CSS pixels' }),
  height: z.number().int().min(1).max(2000).default(AD_UNIT_DEFAULT_SIZE.height).openapi({ description: 'The ad’s height on the page, CSS pixels' }),
  fallbackHtml: z.string().max(10_000).optional().openapi({
    description: 'Your own HTML, shown by the JavaScript tag when there is no ad (its scripts do not run); without it the unit collapses',
  }),
};

export const AdUnitInputSchema = z.object(adUnitFields).openapi('AdUnitInput');
export const AdUnitPatchSchema = z
  .object({
    ...adUnitFields,
    blockedCategories: z.array(z.enum(CATEGORIES)).max(CATEGORIES.length),
    allowedOrigins: z.array(OriginSchema).max(50),
    enabled: z.boolean(),
    width: z.number().int().min(1).max(2000),
    height: z.number().int().min(1).max(2000),
  })
  .partial()
  .openapi('AdUnitPatch');

export const AdUnitSchema = z
  .object({
    id: z.string().openapi({ description: 'Public id: pages ask POST /v1/decisions for ads with it' }),
    accountId: z.string(),
    category: z.enum(CATEGORIES).openapi({ description: 'The account’s category' }),
    ...adUnitFields,
    blockedCategories: z.array(z.enum(CATEGORIES)),
    allowedOrigins: z.array(z.string()),
    width: z.number().int().openapi({ description: 'The ad’s width on the page, CSS pixels' }),
    height: z.number().int().openapi({ description: 'The ad’s height on the page, CSS pixels' }),
    pendingFloor: z
      .object({ floorCpmMicros: z.number().int(), effectiveAt: z.iso.datetime() })
      .nullable()
      .optional()
      .openapi({ description: 'A floor change waiting for its time; `floorCpmMicros` applies until then' }),
    serverKeyPrefix: z.string().optional().openapi({ description: 'The first characters of the unit’s server key, when it has one' }),
    enabled: z.boolean(),
    code: z
      .object({
        javascript: z.string().openapi({ description: 'For web and H5 pages: the unit’s div and the tag script (once per page)' }),
        image: z.string().openapi({ description: 'For posts and newsletters: replace {key} with your sender’s per-recipient merge tag, or a per-send id' }),
      })
      .openapi({ description: 'What to paste where the ad goes, with this unit’s id filled in' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('AdUnit');

export const NewUnitKeySchema = z
  .object({ key: z.string().openapi({ description: 'Send it as X-Placard-Unit-Key with POST /v1/decisions; shown once' }), prefix: z.string() })
  .openapi('NewUnitKey');

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
