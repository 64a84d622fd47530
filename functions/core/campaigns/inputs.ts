import { z } from 'zod';
import { CATEGORIES } from '../marketplace/catalog.js';
import type { FrequencyCap } from '../serving/frequency.js';
import type { Daypart } from '../serving/pacing.js';
import { ATTRIBUTES, type Predicate } from '../serving/targeting.js';
import { microsInput } from '../shared/money.js';

/**
 * What an advertiser sends about a campaign and its creatives: one schema per input, checked
 * where the request comes in (http adds the OpenAPI names); campaign.ts takes the parsed types
 * and checks only the rules across fields. Kept apart from campaign.ts and core/serving, which
 * the serve bundle loads: zod (≈450 KB minified) stays out of it. The serving engine's types
 * (Predicate, Daypart, FrequencyCap) stay in core/serving; these schemas produce them.
 */

const Instant = z.iso.datetime({ offset: true });
const Text = (max: number) => z.string().trim().min(1).max(max);

const PredicateInput = z.object({
  attribute: z.enum(ATTRIBUTES),
  op: z.enum(['in', 'not_in']),
  values: z.array(z.string().min(1).max(100)).min(1).max(500).readonly(),
}) satisfies z.ZodType<Predicate>;

const DaypartInput = z.object({
  days: z.array(z.number().int().min(0).max(6)).min(1).max(7).readonly().meta({ description: 'Local weekdays, 0 = Sunday' }),
  startHour: z.number().int().min(0).max(23),
  endHour: z.number().int().min(1).max(24).meta({ description: 'Exclusive; at or before startHour wraps past midnight' }),
}) satisfies z.ZodType<Daypart>;

const FrequencyCapInput = z.object({
  impressions: z.number().int().min(1).max(1000),
  perHours: z.number().int().min(1).max(720),
}) satisfies z.ZodType<FrequencyCap>;

export const Bidding = z.object({
  model: z.enum(['cpc', 'cpm']),
  bidMicros: microsInput('CPM: per thousand impressions; CPC: per click'),
});
export type Bidding = z.output<typeof Bidding>;

export const CampaignBudget = z.object({
  totalMicros: microsInput('Held from the available balance at activation; the unspent rest is released when the campaign ends'),
  dailyMicros: microsInput('Paced evenly through each local day').nullish(),
});
export type CampaignBudget = z.output<typeof CampaignBudget>;

export const CampaignSchedule = z.object({
  start: Instant,
  end: Instant,
  dayparts: z.array(DaypartInput).max(50).readonly().nullish(),
  timezone: z.string().min(1).max(64).meta({ example: 'Asia/Shanghai' }),
});
export type CampaignSchedule = z.output<typeof CampaignSchedule>;

const campaignShape = {
  name: Text(200),
  category: z.enum(CATEGORIES).meta({ description: 'What is advertised; ad-unit owners can block categories' }),
  bidding: Bidding,
  budget: CampaignBudget,
  schedule: CampaignSchedule,
  targeting: z
    .array(z.array(PredicateInput).max(20).readonly())
    .max(50)
    .readonly()
    .meta({ description: 'DNF: any conjunction (all of its predicates) matches; [] matches everyone' }),
  frequencyCap: FrequencyCapInput.nullish(),
};

/** Everything an advertiser sets on a campaign (`POST /v1/campaigns`); core checks the rules across fields (campaign.ts). */
export const CampaignFields = z.object(campaignShape);
export type CampaignFields = z.output<typeof CampaignFields>;

/** A change of some fields (`PATCH /v1/campaigns/{id}`); the patched campaign is checked as a whole. */
export const CampaignPatch = z.object({ ...campaignShape, budget: CampaignBudget.partial(), schedule: CampaignSchedule.partial() }).partial();
export type CampaignPatch = z.output<typeof CampaignPatch>;

export const CampaignTopUp = z.object({ amountMicros: microsInput('Added to the budget and held from the available balance') });

const creativeShape = {
  title: Text(100),
  body: z.string().trim().max(500),
  // Served into publishers' pages: https only (no javascript:, data:, file: or plain http).
  imageUrl: z
    .url({ protocol: /^https$/, error: 'must be an https URL' })
    .max(2000)
    .meta({ description: 'An https URL' }),
  landingUrl: z.url({ protocol: /^https?$/ }).max(2000),
  callToAction: Text(40),
};

/** What a decision returns of a creative; approved creatives are copied onto the campaign. */
export const CreativeContent = z.object(creativeShape);
export type CreativeContent = z.output<typeof CreativeContent>;

export const CreativePatch = CreativeContent.partial();
export type CreativePatch = z.output<typeof CreativePatch>;

/** The operator's reason when rejecting a creative. */
export const CreativeRejection = z.object({ reason: Text(1000) });
