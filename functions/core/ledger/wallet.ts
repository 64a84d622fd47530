import { NotFoundError } from '../shared/errors.js';
import type { Role, Tenant } from '../tenants/tenants.js';
import { PLATFORM_OWNER, postings, type LedgerAccount, type Posting } from './ledger.js';

/** Money an advertiser paid in, as the operator recorded it. */
export interface Deposit {
  id: string;
  advertiserId: string;
  amountMicros: number;
  reference: string;
  createdAt: string;
}

/**
 * A deposit and its postings (platform cash → the advertiser's available balance). Deposits go
 * to advertisers only: any other tenant, or none, answers 404.
 */
export function newDeposit(
  tenant: Tenant | undefined,
  input: { id: string; advertiserId: string; amountMicros: number; reference: string; now: Date },
): { deposit: Deposit; lines: Posting[] } {
  const { id, advertiserId, amountMicros, reference } = input;
  if (tenant?.role !== 'advertiser') throw new NotFoundError(`Advertiser ${advertiserId} not found`);
  return {
    deposit: { id, advertiserId, amountMicros, reference, createdAt: input.now.toISOString() },
    lines: postings.deposit(advertiserId, amountMicros),
  };
}

const advertiserAccounts = (tenantId: string): LedgerAccount[] => [`advertiser:${tenantId}:available`, `advertiser:${tenantId}:held`];
const publisherAccounts = (tenantId: string): LedgerAccount[] => [
  `publisher:${tenantId}:pending`,
  `publisher:${tenantId}:earned`,
  `publisher:${tenantId}:pendingPayout`,
  `publisher:${tenantId}:paid`,
];
const platformAccounts: LedgerAccount[] = ['platform:revenue', 'platform:cash'];

/** The balances a caller has: an advertiser's or publisher's own, the platform's for the operator. */
export const ledgerAccountsOf = (role: Role, tenantId: string): LedgerAccount[] =>
  role === 'advertiser' ? advertiserAccounts(tenantId) : role === 'publisher' ? publisherAccounts(tenantId) : platformAccounts;

/** Whose ledger lines a caller reads: their own, or the platform's for the operator. */
export const ledgerOwnerOf = (role: Role, tenantId: string): string => (role === 'admin' ? PLATFORM_OWNER : tenantId);

export type WalletBalances =
  | { availableMicros: number; heldMicros: number }
  | { pendingMicros: number; earnedMicros: number; pendingPayoutMicros: number; paidMicros: number }
  | { revenueMicros: number; cashMicros: number };

/** The caller's balances (those of `ledgerAccountsOf`), named `<bucket>Micros`; an account never written is 0. */
export function walletOf(role: Role, tenantId: string, balances: ReadonlyMap<LedgerAccount, number>): WalletBalances {
  // In the order of the role's account list above.
  const [a = 0, b = 0, c = 0, d = 0] = ledgerAccountsOf(role, tenantId).map((account) => balances.get(account) ?? 0);
  if (role === 'advertiser') return { availableMicros: a, heldMicros: b };
  if (role === 'publisher') return { pendingMicros: a, earnedMicros: b, pendingPayoutMicros: c, paidMicros: d };
  return { revenueMicros: a, cashMicros: b };
}
