/** The API's enum values the console offers in its forms (as in the OpenAPI document). */
import type { Schemas } from './api/client';

export const PLATFORMS = ['wechat', 'weibo', 'newsletter', 'other'] as const satisfies readonly Schemas['Account']['platform'][];
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
] as const satisfies readonly Schemas['Account']['category'][];
export const GENDERS = ['female', 'male'] as const;
export const AGE_BANDS = ['under18', '18-24', '25-34', '35-44', '45-54', '55+'] as const;
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
export const POSITIONS = ['headline', 'secondary', 'end_mention'] as const satisfies readonly Schemas['Slot']['position'][];
export const FORMATS = ['ad_card', 'custom_article'] as const satisfies readonly Schemas['Slot']['format'][];
export const PLACEMENTS = ['article_bottom', 'in_article'] as const satisfies readonly Schemas['AdUnit']['placement'][];
export const ORDER_STATES = [
  'requested',
  'accepted',
  'in_review',
  'scheduled',
  'published',
  'disputed',
  'completed',
  'rejected',
  'expired',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const satisfies readonly Schemas['Order']['state'][];
export const TARGET_ATTRIBUTES = ['region', 'gender', 'ageBand', 'interest', 'device', 'os', 'accountCategory', 'accountId', 'adUnitId'] as const;
export const CAUSES = ['deposit', 'order', 'campaign', 'decision', 'payout'] as const;

export type Region = (typeof REGIONS)[number];
export type Interest = (typeof INTERESTS)[number];
export type AgeBand = (typeof AGE_BANDS)[number];
