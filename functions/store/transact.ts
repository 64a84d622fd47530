import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/shared/errors.js';
import type { Db } from './client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction and the domain error its failed condition means. */
export interface TxOp {
  item: TransactItem;
  onConditionFail?: () => Error;
}

/** Most writes one TransactWriteItems holds. */
export const MAX_TRANSACTION_WRITES = 100;

/**
 * The writes of a request that carries an Idempotency-Key (http/idempotency.ts), held back so that
 * its last transaction commits together with the key's completion and response.
 */
export interface WriteUnit {
  pending?: TxOp[];
}

/**
 * Runs ops as one TransactWriteItems. A failed condition becomes the domain error of the first
 * op that failed; a transaction conflict is retried a few times, since it means another writer
 * touched the same items and the conditions must be checked again — at most `attempts` times,
 * and never past `deadline` (epoch ms, real time) when one is given.
 *
 * Under a write unit (`db.unit`) the ops are held back instead: the unit's owner commits them with
 * the idempotency key, and only then are their conditions checked. A request that writes more
 * than once commits its earlier transactions when it starts the next one.
 */
export async function transact(db: Db, ops: readonly TxOp[], attempts = 5, deadline = Infinity): Promise<void> {
  const { unit, ...plain } = db;
  // Under a unit, one write is left for the idempotency key's completion.
  const max = unit ? MAX_TRANSACTION_WRITES - 1 : MAX_TRANSACTION_WRITES;
  if (ops.length > max) throw new Error(`A transaction holds at most ${max} writes, got ${ops.length}`);
  if (unit) {
    const earlier = unit.pending;
    unit.pending = [...ops];
    if (earlier) await transact(plain, earlier, attempts, deadline);
    return;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: ops.map((o) => o.item) }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) {
        const map = ops[failed]?.onConditionFail;
        if (map) throw map();
        throw error;
      }
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      if (!conflict) throw error;
      if (attempt >= attempts || Date.now() >= deadline)
        throw new ConflictError('The request raced with another change to the same objects; retry it', {}, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
    }
  }
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}
