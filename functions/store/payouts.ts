import { ConflictError, NotFoundError } from '../core/shared/errors.js';
import { postings } from '../core/ledger/ledger.js';
import { notify } from '../core/webhooks/webhooks.js';
import type { StoreContext } from './context.js';
import type { Stored, TxOp } from './entity.js';
import { getItem, getOwned, queryPage } from './items.js';
import { keys } from './keys.js';
import type { Page } from './pagination.js';
import { transact } from './transact.js';
import { ledgerTxn } from './wallet.js';

/**
 * Payouts: a publisher withdraws earnings; the operator pays them outside Placard and marks
 * the payout paid, or failed (which returns the money to `earned`).
 *
 * Items (keys.ts):
 * - payout `PAYOUT#<id> / PAYOUT`, gsi1 `TENANT#<publisher>#PAYOUTS` by id (the publisher's list),
 *   carrying `notify` (`payout.<status>`) for webhooks in the same write as each change;
 * - a queue entry `PAYOUTS#<STATUS> / <id>` with a copy of the payout, moved from one status to
 *   the next in the same transaction: the operator's list by status, since the payout's one
 *   gsi1 pair is the publisher's list.
 * Every change is one transaction with its ledger postings; settling is conditional on
 * `status = requested` and the version read.
 */
export type PayoutStatus = 'requested' | 'paid' | 'failed';
export const PAYOUT_STATUSES = ['requested', 'paid', 'failed'] as const satisfies readonly PayoutStatus[];

export interface Payout {
  id: string;
  publisherId: string;
  amountMicros: number;
  currency: string;
  status: PayoutStatus;
  createdAt: string;
  updatedAt: string;
}

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

function payoutWrites(deps: Money, payout: Payout, version: number, condition: { expression: string; values: Record<string, unknown> }): TxOp[] {
  const { db } = deps;
  return [
    {
      item: {
        Put: {
          TableName: db.tableName,
          Item: {
            ...keys.payout(payout.id),
            gsi1pk: keys.tenantPayouts(payout.publisherId),
            gsi1sk: payout.id,
            entity: 'payout',
            version,
            ...payout,
            notify: notify([`payout.${payout.status}`], [payout.publisherId], version),
          },
          ConditionExpression: condition.expression,
          ...(Object.keys(condition.values).length > 0 ? { ExpressionAttributeValues: condition.values } : {}),
          ...(condition.expression.includes('#status') ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
        },
      },
      onConditionFail: () => new ConflictError(`Payout ${payout.id} changed meanwhile; only a requested payout can be marked ${payout.status}`),
    },
    {
      item: { Put: { TableName: db.tableName, Item: { ...keys.payoutQueueEntry(payout.status, payout.id), entity: 'payoutQueueEntry', version, ...payout } } },
    },
  ];
}

export function payoutStore(deps: Money) {
  const { db } = deps;
  return {
    /** Moves `amountMicros` of the publisher's earnings to pendingPayout (402 when earned does not cover it). */
    async request(publisherId: string, amountMicros: number): Promise<Payout> {
      const now = deps.clock().toISOString();
      const payout: Payout = {
        id: deps.ids('pay'),
        publisherId,
        amountMicros,
        currency: deps.config.CURRENCY,
        status: 'requested',
        createdAt: now,
        updatedAt: now,
      };
      await transact(db, [
        ...payoutWrites(deps, payout, 1, { expression: 'attribute_not_exists(pk)', values: {} }),
        ...ledgerTxn(deps, { type: 'payout', id: payout.id }, 'Payout requested', postings.requestPayout(publisherId, amountMicros)),
      ]);
      return payout;
    },

    /** Marks a requested payout paid (pendingPayout → paid) or failed (pendingPayout → earned); 409 from any other status. */
    async settle(payoutId: string, outcome: 'paid' | 'failed'): Promise<Payout> {
      const stored = await getItem<Payout>(db, keys.payout(payoutId), { consistent: true });
      if (!stored) throw new NotFoundError(`Payout ${payoutId} not found`);
      if (stored.status !== 'requested') throw new ConflictError(`Payout ${payoutId} is ${stored.status}; only a requested payout can be marked ${outcome}`);
      const payout: Payout = { ...payoutOf(stored), status: outcome, updatedAt: deps.clock().toISOString() };
      const lines =
        outcome === 'paid' ? postings.payoutPaid(payout.publisherId, payout.amountMicros) : postings.payoutFailed(payout.publisherId, payout.amountMicros);
      await transact(db, [
        ...payoutWrites(deps, payout, stored.version + 1, {
          expression: '#status = :requested AND version = :version',
          values: { ':requested': 'requested', ':version': stored.version },
        }),
        { item: { Delete: { TableName: db.tableName, Key: keys.payoutQueueEntry('requested', payoutId) } } },
        ...ledgerTxn(deps, { type: 'payout', id: payoutId }, `Payout ${outcome}`, lines),
      ]);
      return payout;
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
