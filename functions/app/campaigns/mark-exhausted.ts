import { exhausted } from '../../core/campaigns/changes.js';
import type { StoreContext } from '../../store/context.js';
import { campaignStore } from '../../store/campaigns.js';

/**
 * Billing saw a campaign's budget run out: stop serving it everywhere (a feed event) and tell the
 * advertiser's webhooks (`campaign.budget_spent`).
 * 1. load it; only an active campaign is marked (idempotent: anything else is left as it is);
 * 2. decide (core): budget_exhausted;
 * 3. save it as one write conditional on the version read; an edit racing in between makes it read again.
 */
export async function markExhausted(ctx: Pick<StoreContext, 'db' | 'clock' | 'ids'>, id: string): Promise<void> {
  const store = campaignStore(ctx);
  for (;;) {
    const { value: campaign, version } = await store.load(undefined, id);
    if (campaign.status !== 'active') return;
    if (await store.trySave(version, exhausted(campaign, ctx.clock()), ['campaign.budget_spent'])) return;
  }
}
