import { closeCampaign } from '../app/campaigns/close-campaign.js';
import { campaignStore } from '../store/campaigns.js';
import type { Job } from './job.js';

/** Campaigns handled per run; the next run (minutes later) takes the rest. */
const PER_RUN = 100;

/**
 * Ends the campaigns whose schedule has ended and releases their unspent budget. They are found
 * by a Query on the end-date index (`CAMPAIGNS#ENDING`, sorted by end), never a Scan; ending one
 * deletes its pointer in the same transaction, so a rerun skips it.
 */
export const campaignEndsJob: Job = {
  name: 'campaign-ends',
  async run(deps, now) {
    const due = await campaignStore(deps).endingBy(now.toISOString(), PER_RUN);
    for (const id of due) await closeCampaign(deps, 'end', undefined, id);
    return due.length;
  },
};
