import { z } from '@hono/zod-openapi';
import { CAMPAIGN_STATUSES } from '../core/campaigns/campaign.js';
import { CampaignFields, CampaignPatch, CampaignTopUp, CreativeContent, CreativePatch } from '../core/campaigns/inputs.js';
import { Id } from './openapi.js';

/** Schemas of the campaign, creative and report routes. */

const instant = z.iso.datetime({ offset: true });

export const CampaignInputSchema = CampaignFields.meta({ id: 'CampaignInput' });
export const CampaignPatchSchema = CampaignPatch.meta({ id: 'CampaignPatch' });
export const CreativeInputSchema = CreativeContent.meta({ id: 'CreativeInput' });
export const CreativePatchSchema = CreativePatch.meta({ id: 'CreativePatch' });
export const CampaignTopUpSchema = CampaignTopUp.meta({ id: 'CampaignTopUp' });
const ServedCreativeSchema = z.object({ id: z.string(), ...CreativeContent.shape });

export const CreativeSchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    ...CreativeContent.shape,
    review: z.object({ status: z.enum(['pending', 'approved', 'rejected']), reason: z.string().optional(), decidedAt: z.string().optional() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Creative');

export const CampaignSchema = z
  .object({
    id: z.string(),
    advertiserId: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    funded: z.boolean().openapi({ description: 'The budget is held' }),
    ...CampaignFields.shape,
    creatives: z.array(ServedCreativeSchema).openapi({ description: 'Approved creatives: what decisions serve' }),
    spentMicros: z.number().int().openapi({ description: 'Billed so far' }),
    remainingMicros: z.number().int().openapi({ description: 'Left to spend: the total before activation; what is still held after it (0 once released)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Campaign');

export const ReportQuerySchema = z.object({
  dimension: z
    .enum(['campaign', 'adUnit', 'account', 'platform'])
    .openapi({ description: '`platform` (id `all`): invalid events that name no campaign; operators only' }),
  id: Id('cmp', 'unit', 'acct')
    .or(z.literal('all'))
    .openapi({ description: 'A campaign, ad unit or account id, as the dimension says; `all` for the platform' }),
  from: instant.openapi({ description: 'First hour (inclusive)' }),
  to: instant.openapi({ description: 'Last hour (inclusive)' }),
  granularity: z.enum(['hour', 'day']).default('day'),
  format: z.enum(['json', 'csv']).default('json'),
});

const ReportRowSchema = z.object({
  period: z.string(),
  requests: z.number(),
  fills: z.number(),
  impressions: z.number(),
  clicks: z.number(),
  invalid: z.number(),
  invalidByReason: z
    .record(z.string(), z.number())
    .openapi({ description: 'Invalid events by reason: replay, forged, expired, malformed, no_impression, over_limit, cap, …' }),
  spendMicros: z.number(),
  ctr: z.number(),
  ecpmMicros: z.number(),
  ecpcMicros: z.number(),
});

const EarningsSchema = z
  .object({
    pendingMicros: z.number().openapi({ description: 'Earned in the range and still in the clearing period (open to invalid-traffic rulings)' }),
    clearedMicros: z.number().openapi({ description: 'Earned in the range and cleared (withdrawable)' }),
    refundedMicros: z.number().openapi({ description: 'Billed in the range and refunded to advertisers by rulings' }),
  })
  .openapi('ReportEarnings');

export const ReportSchema = z
  .object({
    dimension: z.string(),
    id: z.string(),
    granularity: z.string(),
    rows: z.array(ReportRowSchema),
    totals: ReportRowSchema,
    earnings: EarningsSchema.optional().openapi({ description: 'Ad units and accounts: the owner’s programmatic earnings in the range, pending vs cleared' }),
  })
  .openapi('Report');
