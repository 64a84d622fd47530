import type { Campaign, CampaignFields } from '../../core/campaigns/campaign.js';
import { newCampaign } from '../../core/campaigns/changes.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore } from '../../store/campaigns.js';

/**
 * An advertiser creates a campaign:
 * 1. decide (core): the fields must keep the rules the schemas cannot express (400); a draft, unfunded;
 * 2. write it, new (store).
 */
export async function createCampaign(ctx: Pick<StoreContext, 'db' | 'clock' | 'ids'>, advertiserId: string, fields: CampaignFields): Promise<Campaign> {
  const campaign = newCampaign(fields, { id: ctx.ids('cmp'), advertiserId, now: ctx.clock() });
  await campaignStore(ctx).create(campaign);
  return campaign;
}
