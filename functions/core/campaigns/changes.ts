import { IMPRESSIONS_PER_MILLE } from '../serving/auction.js';
import {
  afterTopUp,
  applyPatch,
  approvedAfter,
  assertValidCampaign,
  releasesOn,
  transition,
  type BudgetHeld,
  type Campaign,
  type CampaignFields,
  type CampaignPatch,
  type Creative,
  type CreativeContent,
} from './campaign.js';

/**
 * What each change an advertiser, the operator or a job makes does to a campaign or a creative:
 * the rules of campaign.ts applied at a given time. The use cases (app/campaigns) load, call
 * these, and save what they return.
 */

/** A new draft campaign (400 when its fields break a rule the schemas cannot express). */
export function newCampaign(fields: CampaignFields, by: { id: string; advertiserId: string; now: Date }): Campaign {
  assertValidCampaign(fields, IMPRESSIONS_PER_MILLE);
  const at = by.now.toISOString();
  return { ...fields, id: by.id, advertiserId: by.advertiserId, status: 'draft', funded: false, creatives: [], createdAt: at, updatedAt: at };
}

/** The campaign after the advertiser's patch (409 when its status or funding forbids the change, 400 when the result breaks a rule). */
export function editedCampaign(campaign: Campaign, patch: CampaignPatch, now: Date): Campaign {
  const fields = applyPatch(campaign, patch);
  assertValidCampaign(fields, IMPRESSIONS_PER_MILLE);
  return { ...campaign, ...fields, updatedAt: now.toISOString() };
}

/** A funded campaign with `amountMicros` more budget (409 unless funded and in a status that may top up). */
export function toppedUp(campaign: Campaign, amountMicros: number, now: Date): Campaign {
  const status = afterTopUp(campaign);
  return { ...campaign, status, budget: { ...campaign.budget, totalMicros: campaign.budget.totalMicros + amountMicros }, updatedAt: now.toISOString() };
}

/** The held budget after a top-up of `amountMicros`: total and remaining grow by it. */
export function heldAfterTopUp(before: BudgetHeld | undefined, amountMicros: number): BudgetHeld {
  return {
    ...(before ?? { totalMicros: 0, remainingMicros: 0, releasedMicros: 0, leasedMicros: 0, livePostedMicros: 0 }),
    totalMicros: (before?.totalMicros ?? 0) + amountMicros,
    remainingMicros: (before?.remainingMicros ?? 0) + amountMicros,
  };
}

/**
 * A campaign leaving for good (archived by its advertiser, ended by the job), and whether what
 * is left of its held budget goes back to the advertiser (409 when its status does not allow it).
 */
export function closed(campaign: Campaign, action: 'archive' | 'end', now: Date): { campaign: Campaign; releases: boolean } {
  const status = transition(campaign.status, action);
  return { campaign: { ...campaign, status, funded: false, updatedAt: now.toISOString() }, releases: releasesOn(action, campaign.funded) };
}

/** An active campaign whose budget billing found spent (409 from any other status). */
export const exhausted = (campaign: Campaign, now: Date): Campaign => ({
  ...campaign,
  status: transition(campaign.status, 'exhaust'),
  updatedAt: now.toISOString(),
});

/** A creative added to a campaign that may be edited (409 otherwise), awaiting review. */
export function newCreative(campaign: Campaign, content: CreativeContent, by: { id: string; now: Date }): Creative {
  transition(campaign.status, 'edit');
  const at = by.now.toISOString();
  return { ...content, id: by.id, campaignId: campaign.id, advertiserId: campaign.advertiserId, review: { status: 'pending' }, createdAt: at, updatedAt: at };
}

/** An edited creative goes back to review, and off its campaign until approved again. */
export const editedCreative = (creative: Creative, patch: Partial<CreativeContent>, now: Date): Creative => ({
  ...creative,
  ...patch,
  review: { status: 'pending' },
  updatedAt: now.toISOString(),
});

/** The operator's verdict on a creative. */
export function reviewedCreative(creative: Creative, verdict: { status: 'approved' | 'rejected'; reason?: string }, now: Date): Creative {
  const at = now.toISOString();
  return { ...creative, review: { ...verdict, decidedAt: at }, updatedAt: at };
}

/** The campaign after a review or an edit of one of its creatives: approved creatives are on it, the others off. */
export const withCreative = (campaign: Campaign, creative: Creative, now: Date): Campaign => ({
  ...campaign,
  creatives: approvedAfter(campaign.creatives, creative),
  updatedAt: now.toISOString(),
});
