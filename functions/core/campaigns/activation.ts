import { ConflictError } from '../shared/errors.js';
import { assertServable, transition, type Campaign } from './campaign.js';

/**
 * A campaign on activation at `now`: it must be in a status that may activate, have an approved
 * creative, and a schedule that has not ended (409 otherwise). It is funded from then on (the
 * first activation holds its budget).
 */
export function activated(campaign: Campaign, now: Date): Campaign {
  const next: Campaign = { ...campaign, status: transition(campaign.status, 'activate'), funded: true, updatedAt: now.toISOString() };
  assertServable(campaign);
  if (Date.parse(campaign.schedule.end) <= now.getTime())
    throw new ConflictError(`Campaign ${campaign.id}'s schedule has already ended`, { end: campaign.schedule.end });
  return next;
}

/** A paused campaign at `now` (409 unless it may pause). */
export const paused = (campaign: Campaign, now: Date): Campaign => ({
  ...campaign,
  status: transition(campaign.status, 'pause'),
  updatedAt: now.toISOString(),
});
