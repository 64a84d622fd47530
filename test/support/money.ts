import { postings, replay, type LedgerAccount, type Posting } from '../../functions/core/ledger/ledger.js';
import type { Deps } from '../../functions/deps.js';
import { transact } from '../../functions/store/transact.js';
import { depositToAdvertiser } from '../../functions/app/money/wallet.js';
import { ledgerTxn } from '../../functions/store/wallet.js';
import { scanEntity } from './table.js';

/**
 * Gives a publisher earnings the way a completed order does (deposit → hold → capture), without
 * an order: the money tests need earnings, not the order flow.
 */
export async function seedEarnings(deps: Deps, advertiserId: string, publisherId: string, amountMicros: number): Promise<void> {
  await depositToAdvertiser(deps, { advertiserId, amountMicros, reference: 'seed' });
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
