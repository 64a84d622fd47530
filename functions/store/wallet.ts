import { postings, type LedgerAccount, type Posting, type Cause, type Shards } from '../core/ledger/ledger.js';
import type { StoreContext } from './context.js';
import { NotFoundError } from '../core/shared/errors.js';
import type { Role, Tenant } from '../core/tenants/tenants.js';
import type { Db } from './client.js';
import { getBalances, ledgerOps, platformLedgerOwner } from './ledger.js';
import { createOp, strip, type TxOp } from './entity.js';
import { getItem, queryPage } from './items.js';
import type { Page } from './pagination.js';
import { keys } from './keys.js';
import { transact } from './transact.js';

/**
 * Money movements that change nothing but balances. Movements that go with a state change
 * (booking an order, billing an impression) build `ledgerOps` into their own transaction.
 */
export function ledgerTxn(
  deps: Pick<StoreContext, 'db' | 'ids' | 'clock'>,
  cause: Cause,
  memo: string,
  lines: Posting[],
  extra: { shards?: Shards; fields?: Record<string, unknown> } = {},
): TxOp[] {
  return ledgerOps(
    deps.db,
    { id: deps.ids('txn'), at: deps.clock().toISOString(), cause, memo, postings: lines, ...(extra.shards ? { shards: extra.shards } : {}) },
    extra.fields,
  );
}

export interface Deposit {
  id: string;
  advertiserId: string;
  amountMicros: number;
  reference: string;
  createdAt: string;
}

/**
 * Records a deposit: platform cash → the advertiser's available balance, and the deposit item
 * `DEPOSIT#<id> / DEPOSIT` on gsi1 `DEPOSITS` (the operator's list, newest first) in the same transaction.
 */
export async function deposit(
  deps: Pick<StoreContext, 'db' | 'ids' | 'clock'>,
  input: { advertiserId: string; amountMicros: number; reference: string },
): Promise<{ depositId: string }> {
  const depositId = deps.ids('dep');
  const record: Deposit = { id: depositId, ...input, createdAt: deps.clock().toISOString() };
  await transact(deps.db, [
    createOp(deps.db, { ...keys.deposit(depositId), gsi1pk: keys.deposits(), gsi1sk: depositId, entity: 'deposit', version: 1, ...record }),
    ...ledgerTxn(deps, { type: 'deposit', id: depositId }, `Deposit ${input.reference}`, postings.deposit(input.advertiserId, input.amountMicros)),
  ]);
  return { depositId };
}

/** Every deposit, newest first (the operator). */
export async function listDeposits(db: Db, page: { limit: number; cursor?: string }): Promise<Page<Deposit>> {
  const out = await queryPage<Deposit>(db, { pk: keys.deposits(), index: 'gsi1', newestFirst: true, ...page });
  return { items: out.items.map((i) => strip<Deposit>(i)), nextCursor: out.nextCursor };
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
export async function walletBalances(db: Db, role: Role, tenantId: string): Promise<WalletBalances> {
  const accounts = ledgerAccountsOf(role, tenantId);
  const balances = await getBalances(db, accounts);
  // In the order of the role's account list above.
  const [a = 0, b = 0, c = 0, d = 0] = accounts.map((account) => balances.get(account) ?? 0);
  if (role === 'advertiser') return { availableMicros: a, heldMicros: b };
  if (role === 'publisher') return { pendingMicros: a, earnedMicros: b, pendingPayoutMicros: c, paidMicros: d };
  return { revenueMicros: a, cashMicros: b };
}

export type WalletBalances =
  | { availableMicros: number; heldMicros: number }
  | { pendingMicros: number; earnedMicros: number; pendingPayoutMicros: number; paidMicros: number }
  | { revenueMicros: number; cashMicros: number };

/** The balances a caller has: an advertiser's or publisher's own, the platform's for the operator. */
export const ledgerAccountsOf = (role: Role, tenantId: string): LedgerAccount[] =>
  role === 'advertiser' ? advertiserAccounts(tenantId) : role === 'publisher' ? publisherAccounts(tenantId) : platformAccounts;

/** Whose ledger lines a caller reads: their own, or the platform's for the operator. */
export const ledgerOwnerOf = (role: Role, tenantId: string): string => (role === 'admin' ? platformLedgerOwner : tenantId);

/** Records a deposit for an existing advertiser; any other id answers 404. */
export async function depositToAdvertiser(
  deps: Pick<StoreContext, 'db' | 'ids' | 'clock'>,
  input: { advertiserId: string; amountMicros: number; reference: string },
): Promise<{ depositId: string }> {
  const tenant = await getItem<Tenant>(deps.db, keys.tenant(input.advertiserId));
  if (tenant?.role !== 'advertiser') throw new NotFoundError(`Advertiser ${input.advertiserId} not found`);
  return deposit(deps, input);
}
