import { topUpHold } from '../../core/campaigns/budget-moves.js';
import type { BudgetHeld, Campaign } from '../../core/campaigns/campaign.js';
import { heldAfterTopUp, toppedUp } from '../../core/campaigns/changes.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore } from '../../store/campaigns.js';

/**
 * An advertiser adds to a running campaign's budget:
 * 1. load it (404 unless theirs) with its version, and its held budget — before the write, since
 *    under an Idempotency-Key the write is held back until the response is ready;
 * 2. decide (core): only a funded campaign in a status that may top up (409); a campaign whose
 *    budget was spent serves again; the amount is held (available → held);
 * 3. save it with the budget item grown and the money held, in one transaction (402 without the funds).
 */
export async function topUpCampaign(
  ctx: Pick<StoreContext, 'db' | 'clock' | 'ids'>,
  advertiserId: string,
  id: string,
  amountMicros: number,
): Promise<{ campaign: Campaign; held: BudgetHeld }> {
  const store = campaignStore(ctx);
  const { value: campaign, version } = await store.load(advertiserId, id);
  const before = (await store.budgets([id])).get(id);
  const next = toppedUp(campaign, amountMicros, ctx.clock());
  return {
    campaign: await store.saveTopUp(campaign, version, next, amountMicros, topUpHold(campaign, amountMicros)),
    held: heldAfterTopUp(before, amountMicros),
  };
}
