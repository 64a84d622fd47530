/**
 * The API's enum values the console offers in its forms: the domain's own lists (functions/core is
 * pure, so the console bundles them), checked against the OpenAPI document's types.
 */
import type { Schemas } from './api/client';
import {
  AD_UNIT_PLACEMENTS,
  AGE_BANDS,
  CATEGORIES,
  GENDERS,
  INTERESTS,
  PLATFORMS,
  REGIONS,
  SLOT_FORMATS,
  SLOT_POSITIONS,
} from '../../functions/core/marketplace/catalog';
import { ORDER_STATES } from '../../functions/core/orders/order';
import { ATTRIBUTES } from '../../functions/core/serving/targeting';

export { AGE_BANDS, GENDERS, INTERESTS, REGIONS, CATEGORIES, PLATFORMS, ORDER_STATES };
export const POSITIONS = SLOT_POSITIONS;
export const FORMATS = SLOT_FORMATS;
export const PLACEMENTS = AD_UNIT_PLACEMENTS;
export const TARGET_ATTRIBUTES = ATTRIBUTES;

// The API documents the same values: a list the document does not know fails the type-check.
PLATFORMS satisfies readonly Schemas['Account']['platform'][];
CATEGORIES satisfies readonly Schemas['Account']['category'][];
SLOT_POSITIONS satisfies readonly Schemas['Slot']['position'][];
SLOT_FORMATS satisfies readonly Schemas['Slot']['format'][];
AD_UNIT_PLACEMENTS satisfies readonly Schemas['AdUnit']['placement'][];
ORDER_STATES satisfies readonly Schemas['Order']['state'][];
export const CAUSES = ['deposit', 'order', 'campaign', 'decision', 'payout'] as const;

export type Region = (typeof REGIONS)[number];
export type Interest = (typeof INTERESTS)[number];
export type AgeBand = (typeof AGE_BANDS)[number];
