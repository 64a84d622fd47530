import { ConflictError, ValidationError, type FieldIssue } from '../shared/errors.js';
import type { CampaignFields, CampaignPatch, CreativeContent } from './inputs.js';

// The input types come from their schemas (inputs.ts); this module, which the serve bundle loads, only names them.
export type { CampaignFields, CampaignPatch, CreativeContent };

/**
 * Programmatic campaigns and their creatives: the fields an advertiser sets, the status machine,
 * and the rules the store checks before it writes.
 *
 * Status: draft ──activate──▶ active ⇄ paused; active ──(budget spent)──▶ budget_exhausted;
 * any funded status ──(schedule end, job)──▶ ended; anything but archived ──archive──▶ archived.
 * The budget is held (advertiser available → held) at the first activation and what is left of
 * it is released when the campaign ends or is archived; pausing keeps the hold.
 */

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'budget_exhausted', 'ended', 'archived'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface ServedCreative extends CreativeContent {
  id: string;
}

export interface Campaign extends CampaignFields {
  id: string;
  advertiserId: string;
  status: CampaignStatus;
  /** True from the first activation (the budget is held) until the rest is released. */
  funded: boolean;
  /** Approved creatives, newest first: what decisions serve, without another read. */
  creatives: ServedCreative[];
  createdAt: string;
  updatedAt: string;
}

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export interface Creative extends CreativeContent {
  id: string;
  campaignId: string;
  advertiserId: string;
  review: { status: ReviewStatus; reason?: string; decidedAt?: string };
  createdAt: string;
  updatedAt: string;
}

export type CampaignAction = 'activate' | 'pause' | 'archive' | 'end' | 'exhaust' | 'edit' | 'top_up';

const ALLOWED: Record<CampaignAction, readonly CampaignStatus[]> = {
  activate: ['draft', 'paused'],
  pause: ['active'],
  archive: ['draft', 'active', 'paused', 'budget_exhausted', 'ended'],
  end: ['active', 'paused', 'budget_exhausted'],
  exhaust: ['active'],
  edit: ['draft', 'active', 'paused'],
  top_up: ['active', 'paused', 'budget_exhausted'],
};

const TARGET: Partial<Record<CampaignAction, CampaignStatus>> = {
  activate: 'active',
  pause: 'paused',
  archive: 'archived',
  end: 'ended',
  exhaust: 'budget_exhausted',
};

/** The status after `action`, or a 409 naming what the campaign's status allows. */
export function transition(status: CampaignStatus, action: CampaignAction): CampaignStatus {
  if (!ALLOWED[action].includes(status)) {
    const allowed = (Object.keys(ALLOWED) as CampaignAction[]).filter((a) => ALLOWED[a].includes(status));
    throw new ConflictError(`Cannot ${action} a campaign in status ${status}`, { state: status, allowedActions: allowed });
  }
  return TARGET[action] ?? status;
}

/** A top-up adds to a funded campaign's held budget; a campaign whose budget was spent serves again. */
export function afterTopUp(campaign: Campaign): CampaignStatus {
  if (!campaign.funded)
    throw new ConflictError('Only an activated campaign can be topped up; a draft changes its total budget instead', { state: campaign.status });
  const status = transition(campaign.status, 'top_up');
  return status === 'budget_exhausted' ? 'active' : status;
}

/**
 * A funded campaign's budget item: not leased (`remaining`), in live leases (`leased`), released
 * when it closed, and what its live leases have posted so far (store/leases.ts).
 */
export interface BudgetHeld {
  totalMicros: number;
  remainingMicros: number;
  releasedMicros: number;
  leasedMicros: number;
  livePostedMicros: number;
}

/**
 * What a campaign has spent and has left: nothing is spent before activation; after it, spent is
 * what was billed and posted (remaining = budget − spent − released).
 */
export function budgetProgress(campaign: Pick<Campaign, 'budget' | 'funded'>, held: BudgetHeld | undefined): { spentMicros: number; remainingMicros: number } {
  if (!held) return { spentMicros: 0, remainingMicros: campaign.budget.totalMicros };
  // Leased is not spent: what live leases have not posted yet is still left (it comes back unless billed).
  const remainingMicros = held.remainingMicros + held.leasedMicros - held.livePostedMicros;
  return { spentMicros: held.totalMicros - held.releasedMicros - remainingMicros, remainingMicros };
}

/** Whether the budget is held and must be released when the campaign leaves for good. */
export const releasesOn = (action: CampaignAction, funded: boolean): boolean => funded && (action === 'end' || action === 'archive');

/**
 * Rules the schemas (inputs.ts) leave to core, checked on a new campaign and on a patched one as
 * a whole: the schedule ends after it starts in a zone the runtime knows, a daily budget is
 * within the total, a CPM bid pays at least one micro per impression.
 */
export function validateCampaign(fields: CampaignFields, impressionsPerMille: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { schedule, budget, bidding } = fields;
  if (!(Date.parse(schedule.end) > Date.parse(schedule.start))) issues.push({ field: 'schedule.end', message: 'must be after schedule.start' });
  if (!isTimeZone(schedule.timezone)) issues.push({ field: 'schedule.timezone', message: 'must be an IANA time zone such as Asia/Shanghai' });
  if (budget.dailyMicros != null && budget.dailyMicros > budget.totalMicros)
    issues.push({ field: 'budget.dailyMicros', message: 'must not exceed budget.totalMicros' });
  if (bidding.model === 'cpm' && bidding.bidMicros < impressionsPerMille)
    issues.push({ field: 'bidding.bidMicros', message: `a CPM bid must be at least ${impressionsPerMille} micros` });
  return issues;
}

export function assertValidCampaign(fields: CampaignFields, impressionsPerMille: number): void {
  const issues = validateCampaign(fields, impressionsPerMille);
  if (issues.length > 0) throw new ValidationError(`Invalid campaign: ${issues.map((i) => i.field).join(', ')}`, issues);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies a patch. The total budget is what activation holds, so it only changes in draft; a
 * running campaign may change its daily budget, bid, schedule and targeting.
 */
export function applyPatch(campaign: Campaign, patch: CampaignPatch): CampaignFields {
  transition(campaign.status, 'edit');
  if (patch.budget?.totalMicros !== undefined && patch.budget.totalMicros !== campaign.budget.totalMicros && campaign.funded) {
    throw new ConflictError('The total budget is held once a campaign has been activated; create a new campaign to spend more', { state: campaign.status });
  }
  // Creatives were reviewed, and units' blocked categories applied, for the category it was funded
  // under: once funded it keeps it (create a new campaign for another category).
  if (patch.category !== undefined && patch.category !== campaign.category && campaign.funded) {
    throw new ConflictError(`The category of a campaign is locked once it has been activated; it stays ${campaign.category}`, { category: campaign.category });
  }
  const { name, category, bidding, budget, schedule, targeting, frequencyCap } = campaign;
  const base: CampaignFields = { name, category, bidding, budget, schedule, targeting, frequencyCap };
  return { ...base, ...patch, budget: { ...budget, ...patch.budget }, schedule: { ...schedule, ...patch.schedule } };
}

/** Activation needs something to show: at least one approved creative. */
export function assertServable(campaign: Campaign): void {
  if (campaign.creatives.length === 0) {
    throw new ConflictError(`Campaign ${campaign.id} has no approved creative; add one and wait for review`, { state: campaign.status });
  }
}

/** The campaign's approved creatives after a review or an edit of `creative`. */
export function approvedAfter(creatives: readonly ServedCreative[], creative: Creative): ServedCreative[] {
  const others = creatives.filter((c) => c.id !== creative.id);
  if (creative.review.status !== 'approved') return others;
  const { id, title, body, imageUrl, landingUrl, callToAction } = creative;
  return [{ id, title, body, imageUrl, landingUrl, callToAction }, ...others];
}
