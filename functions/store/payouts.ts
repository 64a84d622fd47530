import type { Posting } from '../core/ledger/ledger.js';
import type { Payout, PayoutStatus } from '../core/ledger/payouts.js';
import { ConflictError } from '../core/shared/errors.js';
import { notify } from '../core/webhooks/webhooks.js';
import type { StoreContext } from './context.js';
import { putOp, removeOp, saveOp, type Stored, type TxOp } from './entity.js';
import { getOwned, queryPage } from './items.js';
import { keys } from './keys.js';
import type { Page } from './pagination.js';
import { transact } from './transact.js';
import { ledgerTxn } from './wallet.js';

/**
 * Payouts (core/ledger/payouts.ts says what each change does; app/money/payouts.ts runs them).
 *
 * Items (keys.ts):
 * - payout `PAYOUT#<id> / PAYOUT`, gsi1 `TENANT#<publisher>#PAYOUTS` by id (the publisher's list),
 *   carrying `notify` (`payout.<status>`) for webhooks in the same write as each change;
 * - a queue entry `PAYOUTS#<STATUS> / <id>` with a copy of the payout, moved from one status to
 *   the next in the same transaction: the operator's list by status, since the payout's one
 *   gsi1 pair is the publisher's list.
 * Every change is one transaction with its ledger postings; settling is conditional on the
 * version read (of a requested payout).
 */
const payoutOf = ({ id, publisherId, amountMicros, currency, status, createdAt, updatedAt }: Payout): Payout => ({
  id,
  publisherId,
  amountMicros,
  currency,
  status,
  createdAt,
  updatedAt,
});

type Money = Pick<StoreContext, 'db' | 'ids' | 'clock' | 'config'>;

/** The payout (new, or replacing the version read) and its entry in the operator's queue for its status. */
function payoutWrites(deps: Money, payout: Payout, version: number, readVersion: number | undefined): TxOp[] {
  const { db } = deps;
  const item = {
    ...keys.payout(payout.id),
    gsi1pk: keys.tenantPayouts(payout.publisherId),
    gsi1sk: payout.id,
    entity: 'payout',
    version,
    ...payout,
    notify: notify([`payout.${payout.status}`], [payout.publisherId], version),
  };
  return [
    saveOp(db, item, readVersion, () => new ConflictError(`Payout ${payout.id} changed meanwhile; only a requested payout can be marked ${payout.status}`)),
    putOp(db, { ...keys.payoutQueueEntry(payout.status, payout.id), entity: 'payoutQueueEntry', version, ...payout }),
  ];
}

export function payoutStore(deps: Money) {
  const { db } = deps;
  return {
    /** Writes a requested payout with the postings that set its money aside (402 when earned does not cover it). */
    async request(payout: Payout, lines: Posting[]): Promise<void> {
      await transact(db, [...payoutWrites(deps, payout, 1, undefined), ...ledgerTxn(deps, { type: 'payout', id: payout.id }, 'Payout requested', lines)]);
    },

    /** Any payout (the operator), with the version read (404 when there is none). */
    async load(payoutId: string): Promise<{ value: Payout; version: number }> {
      const stored = await getOwned<Payout & Record<string, unknown>>(db, keys.payout(payoutId), 'Payout', payoutId, undefined, 'publisherId', {
        consistent: true,
      });
      return { value: payoutOf(stored), version: stored.version };
    },

    /**
     * Saves a settled payout conditional on the version read (a requested one), moving its queue
     * entry, with its postings, in one transaction.
     */
    async saveSettled(payout: Payout, readVersion: number, lines: Posting[]): Promise<void> {
      await transact(db, [
        ...payoutWrites(deps, payout, readVersion + 1, readVersion),
        removeOp(db, keys.payoutQueueEntry('requested', payout.id)),
        ...ledgerTxn(deps, { type: 'payout', id: payout.id }, `Payout ${payout.status}`, lines),
      ]);
    },

    /** One payout: the publisher's own (another's answers 404), any for the operator (publisherId undefined). */
    async get(publisherId: string | undefined, payoutId: string): Promise<Payout> {
      return payoutOf(
        await getOwned<Payout & Record<string, unknown>>(db, keys.payout(payoutId), 'Payout', payoutId, publisherId, 'publisherId', { consistent: true }),
      );
    },

    /** A publisher's payouts, newest first. */
    async listForPublisher(publisherId: string, page: { limit: number; cursor?: string }): Promise<Page<Payout>> {
      return pageOf(await queryPage<Payout>(db, { pk: keys.tenantPayouts(publisherId), index: 'gsi1', newestFirst: true, ...page }));
    },

    /** Every publisher's payouts in one status, newest first: the operator's queue. */
    async listByStatus(status: PayoutStatus, page: { limit: number; cursor?: string }): Promise<Page<Payout>> {
      return pageOf(await queryPage<Payout>(db, { pk: keys.payoutQueue(status), newestFirst: true, ...page }));
    },
  };
}

const pageOf = (page: Page<Stored<Payout>>): Page<Payout> => ({ items: page.items.map(payoutOf), nextCursor: page.nextCursor });
