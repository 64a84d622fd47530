import { budgetProgress, type Campaign } from '../../core/campaigns/campaign.js';
import type { Deps } from '../../deps.js';
import { campaignStore } from '../../store/campaigns.js';

export type CampaignWithBudget = Campaign & { spentMicros: number; remainingMicros: number };

/** Campaigns as the API shows them: with what each has spent and has left (one BatchGetItem for all of them). */
export async function withBudget(deps: Pick<Deps, 'db' | 'clock' | 'ids'>, campaigns: readonly Campaign[]): Promise<CampaignWithBudget[]> {
  const held = await campaignStore(deps).budgets(campaigns.filter((c) => c.status !== 'draft').map((c) => c.id));
  return campaigns.map((c) => ({ ...c, ...budgetProgress(c, held.get(c.id)) }));
}
