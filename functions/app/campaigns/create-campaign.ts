import type { Campaign } from '../../core/campaigns/campaign.js';
import { CampaignFields } from '../../core/campaigns/inputs.js';
import { parseInput } from '../../core/shared/inputs.js';
import { newCampaign } from '../../core/campaigns/changes.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore } from '../../store/campaigns.js';

/**
 * An advertiser creates a campaign:
 * 1. decide (core): the input parsed with its schema, as http does (400), and it must keep the rules the schemas cannot express (400); a draft, unfunded;
 * 2. write it, new (store).
 */
export async function createCampaign(ctx: Pick<StoreContext, 'db' | 'clock' | 'ids'>, advertiserId: string, input: CampaignFields): Promise<Campaign> {
  const campaign = newCampaign(parseInput(CampaignFields, input, 'campaign'), { id: ctx.ids('cmp'), advertiserId, now: ctx.clock() });
  await campaignStore(ctx).create(campaign);
  return campaign;
}
