import { z } from '@hono/zod-openapi';
import { PERSON_ROLES } from '../core/people/people.js';

/** Schemas shared by the tenant and people routes. */

export const TenantSchema = z
  .object({
    id: z.string(),
    role: z.enum(['advertiser', 'publisher', 'admin']),
    name: z.string(),
    email: z.email(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Tenant');

export const PersonSchema = z
  .object({ id: z.string(), tenantId: z.string(), email: z.email(), name: z.string(), role: z.enum(PERSON_ROLES), createdAt: z.iso.datetime() })
  .openapi('Person');
