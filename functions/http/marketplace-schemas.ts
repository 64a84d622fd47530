import { z } from '@hono/zod-openapi';
import { AccountEdit, AccountInput, AdUnitInput, AdUnitPatch } from '../core/marketplace/account.js';
import { AudienceInput } from '../core/marketplace/audience.js';
import { AUDIENCE_SOURCES, CATEGORIES, SLOT_STATUSES } from '../core/marketplace/catalog.js';
import { IsoDate, SlotFields, SlotListing, SlotPatch } from '../core/marketplace/slots.js';

/** Schemas shared by the account, slot, ad-unit, admin and marketplace routes; the inputs' are core's, named here. */

export const AccountInputSchema = AccountInput.meta({ id: 'AccountInput' });
export const AccountPatchSchema = AccountEdit.meta({ id: 'AccountPatch' });
export const AudienceSchema = AudienceInput.extend({ source: z.enum(AUDIENCE_SOURCES), updatedAt: z.iso.datetime() }).openapi('AudienceProfile');

export const AccountSchema = z
  .object({
    id: z.string(),
    ownerTenantId: z.string(),
    ...AccountInput.shape,
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

export const SlotCreateSchema = SlotListing.meta({ id: 'SlotCreate' });
export const SlotPatchSchema = SlotPatch.meta({ id: 'SlotPatch' });

export const SlotSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    publishDate: IsoDate,
    ...SlotFields.shape,
    status: z.enum(SLOT_STATUSES),
    orderId: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Slot');

export const AdUnitInputSchema = AdUnitInput.meta({ id: 'AdUnitInput' });
export const AdUnitPatchSchema = AdUnitPatch.meta({ id: 'AdUnitPatch' });

export const AdUnitSchema = z
  .object({
    id: z.string().openapi({ description: 'Public id: pages ask POST /v1/decisions for ads with it' }),
    accountId: z.string(),
    category: z.enum(CATEGORIES).openapi({ description: 'The account’s category' }),
    ...AdUnitInput.shape,
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
