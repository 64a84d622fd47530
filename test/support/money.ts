import { postings, replay, type LedgerAccount, type Posting } from '../../functions/core/ledger/ledger.js';
import type { Deps } from '../../functions/deps.js';
import { transact } from '../../functions/store/transact.js';
import { ledgerTxn, saveDeposit } from '../../functions/store/wallet.js';
import { scanEntity } from './table.js';

/**
 * Gives a publisher earnings the way a completed order does (deposit → hold → capture), without
 * an order: the money tests need earnings, not the order flow. The deposit is written as the store
 * keeps one, without the use case's check that the advertiser is a tenant of this table (some tests
 * seed earnings in a table of their own for an advertiser signed up elsewhere).
 */
export async function seedEarnings(deps: Deps, advertiserId: string, publisherId: string, amountMicros: number): Promise<void> {
  const deposit = { id: deps.ids('dep'), advertiserId, amountMicros, reference: 'seed', createdAt: deps.clock().toISOString() };
  await saveDeposit(deps, deposit, postings.deposit(advertiserId, amountMicros));
  const cause = { type: 'order' as const, id: `ord_seed_${publisherId}` };
  await transact(deps.db, ledgerTxn(deps, cause, 'Seed hold', postings.hold(advertiserId, amountMicros)));
  await transact(deps.db, ledgerTxn(deps, cause, 'Seed capture', postings.capture(advertiserId, publisherId, amountMicros, deps.config.PLATFORM_FEE_BPS)));
}

/** The ledger replayed from every line, and the stored balances, for the invariant checks. */
export async function ledgerState(deps: Pick<Deps, 'db'>): Promise<{ replayed: Map<LedgerAccount, number>; stored: Map<LedgerAccount, number> }> {
  const lines = (await scanEntity(deps, 'ledgerLine')) as { postings: Posting[] }[];
  const balances = await scanEntity(deps, 'balance');
  return {
    replayed: replay(lines),
    // A sharded balance (platform revenue) is the sum of its items.
    stored: balances.reduce<Map<LedgerAccount, number>>(
      (m, b) => m.set(b.account as LedgerAccount, (m.get(b.account as LedgerAccount) ?? 0) + (b.balanceMicros as number)),
      new Map(),
    ),
  };
}

export const total = (balances: Map<LedgerAccount, number>): number => [...balances.values()].reduce((a, b) => a + b, 0);
