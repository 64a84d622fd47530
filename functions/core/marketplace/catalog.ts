/**
 * The fixed vocabularies of the marketplace. They are `as const` arrays so the http layer can
 * hand them straight to `z.enum(...)` and the core can narrow strings with the `is…` guards.
 * Adding a value is a product decision: stored profiles and targeting specs refer to them.
 */

export const PLATFORMS = ['wechat', 'weibo', 'newsletter', 'other'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const CATEGORIES = [
  'tech',
  'finance',
  'lifestyle',
  'fashion',
  'beauty',
  'food',
  'travel',
  'parenting',
  'education',
  'health',
  'gaming',
  'auto',
  'entertainment',
  'sports',
  'business',
  'culture',
  'real_estate',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const GENDERS = ['female', 'male'] as const;
export type Gender = (typeof GENDERS)[number];

export const AGE_BANDS = ['under18', '18-24', '25-34', '35-44', '45-54', '55+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const INTERESTS = [
  'technology',
  'ai',
  'gadgets',
  'investing',
  'personal_finance',
  'crypto',
  'fashion',
  'beauty',
  'cooking',
  'dining_out',
  'travel',
  'outdoors',
  'fitness',
  'health',
  'parenting',
  'education',
  'career',
  'gaming',
  'anime',
  'movies',
  'music',
  'books',
  'cars',
  'sports',
  'home_decor',
  'pets',
  'luxury',
  'entrepreneurship',
] as const;
export type Interest = (typeof INTERESTS)[number];

/**
 * Region codes are ISO 3166-2 style strings. The list covers mainland China's 31
 * provincial-level divisions plus Hong Kong, Macau and Taiwan; `OTHER` holds readers outside
 * them, so a profile can account for all of its readers.
 */
export const REGIONS = [
  'CN-BJ',
  'CN-TJ',
  'CN-HE',
  'CN-SX',
  'CN-NM',
  'CN-LN',
  'CN-JL',
  'CN-HL',
  'CN-SH',
  'CN-JS',
  'CN-ZJ',
  'CN-AH',
  'CN-FJ',
  'CN-JX',
  'CN-SD',
  'CN-HA',
  'CN-HB',
  'CN-HN',
  'CN-GD',
  'CN-GX',
  'CN-HI',
  'CN-CQ',
  'CN-SC',
  'CN-GZ',
  'CN-YN',
  'CN-XZ',
  'CN-SN',
  'CN-GS',
  'CN-QH',
  'CN-NX',
  'CN-XJ',
  'CN-HK',
  'CN-MO',
  'CN-TW',
  'OTHER',
] as const;
export type Region = (typeof REGIONS)[number];

export const SLOT_POSITIONS = ['headline', 'secondary', 'end_mention'] as const;
export type SlotPosition = (typeof SLOT_POSITIONS)[number];

export const SLOT_FORMATS = ['ad_card', 'custom_article'] as const;
export type SlotFormat = (typeof SLOT_FORMATS)[number];

export const SLOT_STATUSES = ['open', 'booked', 'closed'] as const;
export type SlotStatus = (typeof SLOT_STATUSES)[number];

export const AD_UNIT_PLACEMENTS = ['article_bottom', 'in_article'] as const;
export type AdUnitPlacement = (typeof AD_UNIT_PLACEMENTS)[number];
/** An ad unit's size when the owner names none: the IAB medium rectangle. */
export const AD_UNIT_DEFAULT_SIZE = { width: 300, height: 250 } as const;

export const AUDIENCE_SOURCES = ['self_reported', 'verified'] as const;
export type AudienceSource = (typeof AUDIENCE_SOURCES)[number];

/** Narrows a string to a member of a fixed list (for validation and parsing). */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
