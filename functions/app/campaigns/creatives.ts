import type { Creative, CreativeContent } from '../../core/campaigns/campaign.js';
import { editedCreative, newCreative, reviewedCreative, withCreative } from '../../core/campaigns/changes.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore, type Versioned } from '../../store/campaigns.js';

type Ctx = Pick<StoreContext, 'db' | 'clock' | 'ids'>;

/**
 * An advertiser adds a creative to a campaign:
 * 1. load the campaign (404 unless theirs);
 * 2. decide (core): its status must allow edits (409); the creative awaits review;
 * 3. write it, new (store).
 */
export async function addCreative(ctx: Ctx, advertiserId: string, campaignId: string, content: CreativeContent): Promise<Creative> {
  const store = campaignStore(ctx);
  const creative = newCreative(await store.get(advertiserId, campaignId), content, { id: ctx.ids('crv'), now: ctx.clock() });
  await store.createCreative(creative);
  return creative;
}

/**
 * An advertiser edits a creative:
 * 1. load it (404 unless theirs), with its version;
 * 2. decide (core): it goes back to review, and off its campaign until approved again;
 * 3. save it and its campaign, each conditional on the version read (409 when either changed).
 */
export async function editCreative(ctx: Ctx, advertiserId: string, campaignId: string, creativeId: string, patch: Partial<CreativeContent>): Promise<Creative> {
  const stored = await campaignStore(ctx).loadCreative(advertiserId, campaignId, creativeId);
  return saveWithCampaign(ctx, stored, editedCreative(stored.value, patch, ctx.clock()), []);
}

/**
 * The operator approves or rejects a creative:
 * 1. load it (any advertiser's), with its version;
 * 2. decide (core): the verdict; an approved creative goes onto its campaign, a rejected one off it;
 * 3. save it and its campaign, each conditional on the version read, telling the advertiser's
 *    webhooks (`creative.approved` / `creative.rejected`).
 */
export async function reviewCreative(ctx: Ctx, creativeId: string, verdict: { status: 'approved' | 'rejected'; reason?: string }): Promise<Creative> {
  const stored = await campaignStore(ctx).loadCreativeById(creativeId);
  return saveWithCampaign(ctx, stored, reviewedCreative(stored.value, verdict, ctx.clock()), [`creative.${verdict.status}`]);
}

/** Saves a changed creative with its campaign's approved list. */
async function saveWithCampaign(ctx: Ctx, stored: Versioned<Creative>, next: Creative, events: string[]): Promise<Creative> {
  const store = campaignStore(ctx);
  const campaign = await store.load(undefined, next.campaignId);
  return store.saveCreative(stored, campaign, { creative: next, campaign: withCreative(campaign.value, next, ctx.clock()) }, events);
}
