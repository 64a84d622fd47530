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

/**
 * Runs ops as one TransactWriteItems. A failed condition becomes the domain error of the first
 * op that failed; a transaction conflict is retried a few times, since it means another writer
 * touched the same items and the conditions must be checked again — at most `attempts` times,
 * and never past `deadline` (epoch ms, real time) when one is given.
 */
export async function transact(db: Db, ops: readonly TxOp[], attempts = 5, deadline = Infinity): Promise<void> {
  if (ops.length > 100) throw new Error(`A transaction holds at most 100 writes, got ${ops.length}`);
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
      if (attempt >= attempts || Date.now() >= deadline) throw new ConflictError('The request raced with another change to the same objects; retry it', {}, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
    }
  }
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}
