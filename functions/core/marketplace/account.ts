import type { AudienceProfile } from './audience.js';
import type { AdUnitPlacement, Category, Platform } from './catalog.js';

/** An official account as the marketplace sees it: who publishes, about what, to whom. */
export interface OfficialAccount {
  id: string;
  /** The publisher tenant that owns the account. */
  ownerTenantId: string;
  platform: Platform;
  handle: string;
  name: string;
  category: Category;
  description: string;
  audience: AudienceProfile;
}

/** A programmatic slot inside an account's articles, sold by auction above a floor. */
export interface AdUnit {
  id: string;
  accountId: string;
  placement: AdUnitPlacement;
  floorCpmMicros: number;
  /** Advertiser categories the owner refuses on this unit. */
  blockedCategories: Category[];
  /** Origins (scheme://host[:port], lower case) whose pages may ask for ads; empty or absent: any. */
  allowedOrigins?: string[];
}
