import type { Cause, Posting, Shards } from '../core/ledger/ledger.js';
import type { Deposit } from '../core/ledger/wallet.js';
import type { StoreContext } from './context.js';
import type { Db } from './client.js';
import { ledgerOps } from './ledger.js';
import { createOp, strip, type TxOp } from './entity.js';
import { queryPage } from './items.js';
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

/**
 * Records a deposit (core/ledger/wallet.ts decides it) with its postings, and the deposit item
 * `DEPOSIT#<id> / DEPOSIT` on gsi1 `DEPOSITS` (the operator's list, newest first), in one transaction.
 */
export async function saveDeposit(deps: Pick<StoreContext, 'db' | 'ids' | 'clock'>, deposit: Deposit, lines: Posting[]): Promise<void> {
  await transact(deps.db, [
    createOp(deps.db, { ...keys.deposit(deposit.id), gsi1pk: keys.deposits(), gsi1sk: deposit.id, entity: 'deposit', version: 1, ...deposit }),
    ...ledgerTxn(deps, { type: 'deposit', id: deposit.id }, `Deposit ${deposit.reference}`, lines),
  ]);
}

/** Every deposit, newest first (the operator). */
export async function listDeposits(db: Db, page: { limit: number; cursor?: string }): Promise<Page<Deposit>> {
  const out = await queryPage<Deposit>(db, { pk: keys.deposits(), index: 'gsi1', newestFirst: true, ...page });
  return { items: out.items.map((i) => strip<Deposit>(i)), nextCursor: out.nextCursor };
}
