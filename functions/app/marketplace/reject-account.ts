import type { Deps } from '../../deps.js';
import { allAdUnitsOfAccount, type AccountRecord } from '../../store/marketplace.js';
import { ruleInvalidTraffic, type RulingResult } from '../billing/rule-invalid-traffic.js';
import { reviewAccount } from './review-account.js';

/**
 * An operator rejects an account's audience data. Only verified accounts' earnings clear
 * (DESIGN §9), so what the account earned programmatically and has not cleared goes back:
 * 1. record the verdict on the account (404 for an unknown one);
 * 2. rule the traffic of each of its ad units, since the unit was created, invalid
 *    (rule-invalid-traffic.ts): what it billed and has not cleared goes back to the advertisers'
 *    budgets, on the ledger, with lines naming the rejection and its reason.
 * Cleared earnings stay. Events still in an open budget lease (the last few minutes) are posted
 * afterwards and wait with the account's other uncleared earnings. Rejecting again refunds
 * nothing twice: a ruling takes back only what is still open.
 */

export async function rejectAccount(deps: Deps, accountId: string, reason: string): Promise<{ account: AccountRecord; refund: RulingResult }> {
  const account = await reviewAccount(deps, accountId, { verdict: 'rejected', reason });
  const refund: RulingResult = { refundedMicros: 0, refunds: 0 };
  const to = deps.clock().toISOString();
  for (const unit of await allAdUnitsOfAccount(deps.db, accountId)) {
    const ruled = await ruleInvalidTraffic(deps, { adUnitId: unit.id, from: unit.createdAt, to, reason: `account ${accountId} rejected: ${reason}` });
    refund.refundedMicros += ruled.refundedMicros;
    refund.refunds += ruled.refunds;
  }
  return { account, refund };
}
