import { z } from '@hono/zod-openapi';
import { CAMPAIGN_STATUSES } from '../core/campaigns/campaign.js';
import { CATEGORIES } from '../core/marketplace/catalog.js';
import { ATTRIBUTES } from '../core/serving/targeting.js';
import { Id, microsInput } from './openapi.js';

/** Schemas of the campaign, creative and report routes. */

const instant = z.iso.datetime({ offset: true });

const PredicateSchema = z.object({
  attribute: z.enum(ATTRIBUTES),
  op: z.enum(['in', 'not_in']),
  values: z.array(z.string().min(1).max(100)).min(1).max(500).readonly(),
});

const DaypartSchema = z.object({
  days: z.array(z.number().int().min(0).max(6)).min(1).max(7).readonly().openapi({ description: 'Local weekdays, 0 = Sunday' }),
  startHour: z.number().int().min(0).max(23),
  endHour: z.number().int().min(1).max(24).openapi({ description: 'Exclusive; at or before startHour wraps past midnight' }),
});

const campaignFields = {
  name: z.string().trim().min(1).max(200),
  category: z.enum(CATEGORIES).openapi({ description: 'What is advertised; ad-unit owners can block categories' }),
  bidding: z.object({
    model: z.enum(['cpc', 'cpm']),
    bidMicros: microsInput('CPM: per thousand impressions; CPC: per click'),
  }),
  budget: z.object({
    totalMicros: microsInput('Held from the available balance at activation; the unspent rest is released when the campaign ends'),
    dailyMicros: microsInput('Paced evenly through each local day').nullish(),
  }),
  schedule: z.object({
    start: instant,
    end: instant,
    dayparts: z.array(DaypartSchema).max(50).readonly().nullish(),
    timezone: z.string().min(1).max(64).openapi({ example: 'Asia/Shanghai' }),
  }),
  targeting: z
    .array(z.array(PredicateSchema).max(20).readonly())
    .max(50)
    .readonly()
    .openapi({ description: 'DNF: any conjunction (all of its predicates) matches; [] matches everyone' }),
  frequencyCap: z.object({ impressions: z.number().int().min(1).max(1000), perHours: z.number().int().min(1).max(720) }).nullish(),
};

export const CampaignInputSchema = z.object(campaignFields).openapi('CampaignInput');
export const CampaignPatchSchema = z
  .object({ ...campaignFields, budget: campaignFields.budget.partial(), schedule: campaignFields.schedule.partial() })
  .partial()
  .openapi('CampaignPatch');

const CreativeFields = {
  title: z.string().trim().min(1).max(100),
  body: z.string().trim().max(500),
  // Served into publishers' pages: https only (no javascript:, data:, file: or plain http).
  imageUrl: z
    .url({ protocol: /^https$/, error: 'must be an https URL' })
    .max(2000)
    .openapi({ description: 'An https URL' }),
  landingUrl: z.url({ protocol: /^https?$/ }).max(2000),
  callToAction: z.string().trim().min(1).max(40),
};

export const CreativeInputSchema = z.object(CreativeFields).openapi('CreativeInput');
export const CreativePatchSchema = z.object(CreativeFields).partial().openapi('CreativePatch');
const ServedCreativeSchema = z.object({ id: z.string(), ...CreativeFields });

export const CreativeSchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    ...CreativeFields,
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
    ...campaignFields,
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
