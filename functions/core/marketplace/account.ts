import { z } from 'zod';
import { AudienceInput, type AudienceProfile } from './audience.js';
import { parseInput } from '../shared/inputs.js';
import { microsInput } from '../shared/money.js';
import { AD_UNIT_DEFAULT_SIZE, AD_UNIT_PLACEMENTS, CATEGORIES, PLATFORMS } from './catalog.js';

const accountShape = {
  platform: z.enum(PLATFORMS),
  handle: z.string().trim().min(1).max(100).meta({ description: 'The account’s id on its platform' }),
  name: z.string().trim().min(1).max(200),
  category: z.enum(CATEGORIES),
  description: z.string().max(2000).default(''),
};

/** What an owner sends to list an account (`POST /v1/accounts`); the audience starts self-reported. */
export const AccountInput = z.object({ ...accountShape, audience: AudienceInput });
export type AccountInput = z.output<typeof AccountInput>;

/** What an owner may change on an account: its identity, description and audience figures (`PATCH /v1/accounts/{id}`). */
export const AccountEdit = z.object({ ...accountShape, description: z.string().max(2000), audience: AudienceInput.partial() }).partial();
export type AccountEdit = z.output<typeof AccountEdit>;

/** An official account as the marketplace sees it: who publishes, about what, to whom. */
export interface OfficialAccount extends Omit<AccountInput, 'audience'> {
  id: string;
  /** The publisher tenant that owns the account. */
  ownerTenantId: string;
  audience: AudienceProfile;
}

/** An origin as browsers send it: scheme://host[:port], no path; kept lower case. */
const Origin = z
  .string()
  .max(300)
  .refine(
    (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol) && new URL(v).origin === v.toLowerCase(),
    'An http(s) origin: scheme://host[:port], without a path',
  )
  .transform((v) => v.toLowerCase());

const BlockedCategories = z.array(z.enum(CATEGORIES)).max(CATEGORIES.length);
const AllowedOrigins = z.array(Origin).max(50);
const Pixels = z.number().int().min(1).max(2000);

const adUnitShape = {
  placement: z.enum(AD_UNIT_PLACEMENTS),
  floorCpmMicros: microsInput(
    'Lowest price per thousand impressions. A change takes effect FLOOR_CHANGE_DELAY_HOURS later (`pendingFloor`), so floors cannot probe bids',
    0,
  ),
  blockedCategories: BlockedCategories.default([]).meta({ description: 'Advertiser categories refused on this unit' }),
  allowedOrigins: AllowedOrigins.default([]).meta({
    description:
      'Origins (e.g. https://news.example.com) whose pages may ask for ads; a browser decision from elsewhere gets no ad. Empty: any origin. Server-to-server callers use the unit’s server key instead',
  }),
  enabled: z.boolean().default(true),
  width: Pixels.default(AD_UNIT_DEFAULT_SIZE.width).meta({ description: 'The ad’s width on the page, CSS pixels' }),
  height: Pixels.default(AD_UNIT_DEFAULT_SIZE.height).meta({ description: 'The ad’s height on the page, CSS pixels' }),
  fallbackHtml: z.string().max(10_000).optional().meta({
    description: 'Your own HTML, shown by the JavaScript tag when there is no ad (its scripts do not run); without it the unit collapses',
  }),
};

/** What an owner sends to add an ad unit (`POST /v1/accounts/{id}/ad-units`). */
export const AdUnitInput = z.object(adUnitShape);
export type AdUnitInput = z.output<typeof AdUnitInput>;

/** A change of some of its settings (`PATCH /v1/ad-units/{id}`): nothing takes a default. */
export const AdUnitPatch = z
  .object({ ...adUnitShape, blockedCategories: BlockedCategories, allowedOrigins: AllowedOrigins, enabled: z.boolean(), width: Pixels, height: Pixels })
  .partial();
export type AdUnitPatch = z.output<typeof AdUnitPatch>;

/**
 * A programmatic slot inside an account's articles, sold by auction above a floor. Origins are
 * scheme://host[:port], lower case; empty or absent: any. Width and height are the ad's size on
 * the page in CSS pixels (the tags render to it); without fallback HTML the unit collapses.
 */
export interface AdUnit extends Omit<AdUnitInput, 'enabled' | 'allowedOrigins'> {
  id: string;
  accountId: string;
  allowedOrigins?: string[];
}

/** The fields that say which account this is: verified audience data is about that account, not another. */
export const IDENTITY_FIELDS = ['platform', 'handle', 'name', 'category'] as const;

/**
 * An owner's edit, parsed with its schema (as http does: trimmed, checked; 400 otherwise). An operator's verification vouches for this audience of this account, so any
 * change of the audience figures or of the account's identity (platform, handle, name, category)
 * makes the profile self-reported and unverified again; a new description keeps it.
 */
export function applyAccountEdit<A extends OfficialAccount & { verification: { status: string }; updatedAt: string }>(
  current: A,
  edit: z.input<typeof AccountEdit>,
  at: string,
): A {
  const { audience, ...fields } = parseInput(AccountEdit, edit, 'account');
  const next: A = { ...current, ...fields, updatedAt: at };
  const audienceChanged = audience !== undefined && Object.keys(audience).length > 0;
  const identityChanged = IDENTITY_FIELDS.some((field) => fields[field] !== undefined && fields[field] !== current[field]);
  if (audienceChanged) {
    next.audience = { ...current.audience, ...audience, source: 'self_reported', updatedAt: at };
  }
  if (audienceChanged || identityChanged) {
    next.verification = { status: 'unverified' };
    if (!audienceChanged) next.audience = { ...current.audience, source: 'self_reported', updatedAt: at };
  }
  return next;
}
