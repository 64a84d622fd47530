import { postings, type LedgerAccount, type Posting, type Cause } from '../core/ledger/ledger.js';
import type { Deps } from '../deps.js';
import { ledgerOps } from './ledger.js';
import { transact, type TxOp } from './transact.js';

/**
 * Money movements that change nothing but balances. Movements that go with a state change
 * (booking an order, billing an impression) build `ledgerOps` into their own transaction.
 */
export function ledgerTxn(deps: Pick<Deps, 'db' | 'ids' | 'clock'>, cause: Cause, memo: string, lines: Posting[]): TxOp[] {
  return ledgerOps(deps.db, { id: deps.ids('txn'), at: deps.clock().toISOString(), cause, memo, postings: lines });
}

/** Records a deposit: platform cash → the advertiser's available balance. */
export async function deposit(
  deps: Pick<Deps, 'db' | 'ids' | 'clock'>,
  input: { advertiserId: string; amountMicros: number; reference: string },
): Promise<{ depositId: string }> {
  const depositId = deps.ids('dep');
  await transact(deps.db, ledgerTxn(deps, { type: 'deposit', id: depositId }, `Deposit ${input.reference}`, postings.deposit(input.advertiserId, input.amountMicros)));
  return { depositId };
}

export const advertiserAccounts = (tenantId: string): LedgerAccount[] => [`advertiser:${tenantId}:available`, `advertiser:${tenantId}:held`];
export const publisherAccounts = (tenantId: string): LedgerAccount[] => [
  `publisher:${tenantId}:earned`,
  `publisher:${tenantId}:pendingPayout`,
  `publisher:${tenantId}:paid`,
];
