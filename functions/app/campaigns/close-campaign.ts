import { budgetRelease } from '../../core/campaigns/budget-moves.js';
import type { Campaign } from '../../core/campaigns/campaign.js';
import { closed } from '../../core/campaigns/changes.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore } from '../../store/campaigns.js';

type Ctx = Pick<StoreContext, 'db' | 'clock' | 'ids'>;

/**
 * A campaign leaves for good: its advertiser archives it, or the jobs function ends it past its schedule.
 * 1. load it (the advertiser's: 404 unless theirs; the job's: any), with its version;
 * 2. decide (core): its status must allow the action (409); a funded campaign releases what is
 *    left of its budget (held → available);
 * 3. save it conditional on the version read, with what is left of the budget moved held →
 *    available and its end-date pointer removed, in one transaction (store).
 */
export async function closeCampaign(ctx: Ctx, action: 'archive' | 'end', advertiserId: string | undefined, id: string): Promise<Campaign> {
  const store = campaignStore(ctx);
  const { value: campaign, version } = await store.load(advertiserId, id);
  const { campaign: next, releases } = closed(campaign, action, ctx.clock());
  return store.saveClosed(campaign, version, next, releases ? (remainingMicros) => budgetRelease(campaign, action, remainingMicros) : undefined);
}
