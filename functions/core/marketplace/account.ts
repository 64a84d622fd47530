import { ValidationError } from '../shared/errors.js';
import { validateAudience, type AudienceProfile } from './audience.js';
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
  /** The ad's size on the page, in CSS pixels (the tags render to it). */
  width: number;
  height: number;
  /** The owner's own HTML, shown by the JavaScript tag when there is no ad (absent: the unit collapses). */
  fallbackHtml?: string;
}

/** What an owner may change on an account: its identity, description and audience figures. */
export type AccountEdit = Partial<Pick<OfficialAccount, 'platform' | 'handle' | 'name' | 'category' | 'description'>> & {
  audience?: Partial<Omit<AudienceProfile, 'source' | 'updatedAt'>>;
};

/** The fields that say which account this is: verified audience data is about that account, not another. */
export const IDENTITY_FIELDS = ['platform', 'handle', 'name', 'category'] as const;

/**
 * An owner's edit. An operator's verification vouches for this audience of this account, so any
 * change of the audience figures or of the account's identity (platform, handle, name, category)
 * makes the profile self-reported and unverified again; a new description keeps it.
 */
export function applyAccountEdit<A extends OfficialAccount & { verification: { status: string }; updatedAt: string }>(
  current: A,
  edit: AccountEdit,
  at: string,
): A {
  const { audience, ...fields } = edit;
  const next: A = { ...current, ...fields, updatedAt: at };
  const audienceChanged = audience !== undefined && Object.keys(audience).length > 0;
  const identityChanged = IDENTITY_FIELDS.some((field) => fields[field] !== undefined && fields[field] !== current[field]);
  if (audienceChanged) {
    next.audience = { ...current.audience, ...audience, source: 'self_reported', updatedAt: at };
    const issues = validateAudience(next.audience);
    if (issues.length > 0) throw new ValidationError('Invalid audience profile', issues);
  }
  if (audienceChanged || identityChanged) {
    next.verification = { status: 'unverified' };
    if (!audienceChanged) next.audience = { ...current.audience, source: 'self_reported', updatedAt: at };
  }
  return next;
}
