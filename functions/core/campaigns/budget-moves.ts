import { postings, type Cause, type Posting } from '../ledger/ledger.js';
import type { Campaign } from './campaign.js';

/**
 * The money a campaign's budget moves on the ledger at activation, top-up and close. The use
 * cases (app/campaigns) pass these to the store, which writes them with the campaign.
 */
export interface BudgetMove {
  cause: Cause;
  memo: string;
  lines: Posting[];
}

const move = (campaign: Campaign, memo: string, lines: Posting[]): BudgetMove => ({
  cause: { type: 'campaign', id: campaign.id },
  memo: `Campaign ${campaign.id}${memo}`,
  lines,
});

/**
 * The first activation (a campaign not yet funded) holds the whole budget (available → held);
 * a funded campaign's (paused → active) moves no money.
 */
export const activationHold = (campaign: Campaign): BudgetMove | undefined =>
  campaign.funded ? undefined : move(campaign, ': hold the budget', postings.hold(campaign.advertiserId, campaign.budget.totalMicros));

/** A top-up holds its amount (available → held). */
export const topUpHold = (campaign: Campaign, amountMicros: number): BudgetMove =>
  move(campaign, ': top up the budget', postings.hold(campaign.advertiserId, amountMicros));

/** A campaign that leaves for good (`why`: archive or end) gives what is left of its budget back (held → available); none left moves nothing. */
export const budgetRelease = (campaign: Campaign, why: string, remainingMicros: number): BudgetMove | undefined =>
  remainingMicros > 0 ? move(campaign, ` ${why}: release unspent budget`, postings.release(campaign.advertiserId, remainingMicros)) : undefined;
