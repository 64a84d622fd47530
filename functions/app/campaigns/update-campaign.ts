import type { Campaign } from '../../core/campaigns/campaign.js';
import { CampaignPatch } from '../../core/campaigns/inputs.js';
import { parseInput } from '../../core/shared/inputs.js';
import { editedCampaign } from '../../core/campaigns/changes.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore } from '../../store/campaigns.js';

/**
 * An advertiser edits a campaign:
 * 1. load it (404 unless theirs), with its version;
 * 2. decide (core): the patch parsed with its schema, as http does (400); its status must allow edits, a funded campaign keeps its total budget and
 *    category (409), the result must keep the campaign rules (400);
 * 3. save it conditional on the version read (409 when it changed meanwhile); a funded
 *    campaign's end-date pointer moves with its schedule (store).
 */
export async function updateCampaign(
  ctx: Pick<StoreContext, 'db' | 'clock' | 'ids'>,
  advertiserId: string,
  id: string,
  patch: CampaignPatch,
): Promise<Campaign> {
  const store = campaignStore(ctx);
  const { value: campaign, version } = await store.load(advertiserId, id);
  return store.save(campaign, version, editedCampaign(campaign, parseInput(CampaignPatch, patch, 'campaign'), ctx.clock()));
}
