import { activated, paused } from '../../core/campaigns/activation.js';
import { activationHold } from '../../core/campaigns/budget-moves.js';
import type { Campaign } from '../../core/campaigns/campaign.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore } from '../../store/campaigns.js';
import { closeCampaign } from './close-campaign.js';

/**
 * An advertiser starts, pauses or archives a campaign:
 * 1. load it (404 unless theirs), with its version;
 * 2. decide (core): activate needs a status that may activate, an approved creative and a
 *    schedule that has not ended (409); pause needs a status that may pause (409);
 *    the first activation holds the whole budget (available → held), a later one moves no money;
 * 3. save it conditional on the version read, with the hold (402 without the funds); archiving
 *    is close-campaign.ts.
 */
export async function campaignAction(
  ctx: Pick<StoreContext, 'db' | 'clock' | 'ids'>,
  action: 'activate' | 'pause' | 'archive',
  advertiserId: string,
  id: string,
): Promise<Campaign> {
  if (action === 'archive') return closeCampaign(ctx, 'archive', advertiserId, id);
  const store = campaignStore(ctx);
  const { value: campaign, version } = await store.load(advertiserId, id);
  if (action === 'pause') return store.save(campaign, version, paused(campaign, ctx.clock()));
  const next = activated(campaign, ctx.clock());
  const hold = activationHold(campaign);
  return hold ? store.saveFunded(campaign, version, next, hold) : store.save(campaign, version, next);
}
