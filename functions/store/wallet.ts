import { postings, type LedgerAccount, type Posting, type Cause } from '../core/ledger/ledger.js';
import type { Deps } from '../deps.js';
import { NotFoundError } from '../core/shared/errors.js';
import type { Role, Tenant } from '../core/tenants/tenants.js';
import type { Db } from './client.js';
import { getBalances, ledgerOps, platformLedgerOwner } from './ledger.js';
import { getItem } from './items.js';
import { keys } from './keys.js';
import { transact, type TxOp } from './transact.js';

/**
 * Money movements that change nothing but balances. Movements that go with a state change
 * (booking an order, billing an impression) build `ledgerOps` into their own transaction.
 */
export function ledgerTxn(deps: Pick<Deps, 'db' | 'ids' | 'clock'>, cause: Cause, memo: string, lines: Posting[], extra: { shardKey?: string; fields?: Record<string, unknown> } = {}): TxOp[] {
  return ledgerOps(deps.db, { id: deps.ids('txn'), at: deps.clock().toISOString(), cause, memo, postings: lines, ...(extra.shardKey ? { shardKey: extra.shardKey } : {}) }, extra.fields);
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
  `publisher:${tenantId}:pending`,
  `publisher:${tenantId}:earned`,
  `publisher:${tenantId}:pendingPayout`,
  `publisher:${tenantId}:paid`,
];

export const platformAccounts: LedgerAccount[] = ['platform:revenue', 'platform:cash'];

/**
 * The balances a caller sees, named `<bucket>Micros`: an advertiser's or publisher's own, the
 * platform's for the operator.
 */
export async function walletBalances(db: Db, role: Role, tenantId: string): Promise<Record<string, number>> {
  const accounts = role === 'advertiser' ? advertiserAccounts(tenantId) : role === 'publisher' ? publisherAccounts(tenantId) : platformAccounts;
  const balances = await getBalances(db, accounts);
  return Object.fromEntries([...balances].map(([account, micros]) => [`${account.split(':').at(-1)}Micros`, micros]));
}

/** Whose ledger lines a caller reads: their own, or the platform's for the operator. */
export const ledgerOwnerOf = (role: Role, tenantId: string): string => (role === 'admin' ? platformLedgerOwner : tenantId);

/** Records a deposit for an existing advertiser; any other id answers 404. */
export async function depositToAdvertiser(
  deps: Pick<Deps, 'db' | 'ids' | 'clock'>,
  input: { advertiserId: string; amountMicros: number; reference: string },
): Promise<{ depositId: string }> {
  const tenant = await getItem<Tenant>(deps.db, keys.tenant(input.advertiserId));
  if (tenant?.role !== 'advertiser') throw new NotFoundError(`Advertiser ${input.advertiserId} not found`);
  return deposit(deps, input);
}
