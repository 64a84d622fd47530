import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/shared/errors.js';
import type { Db } from './client.js';
import type { TxOp } from './entity.js';

/** Most writes one TransactWriteItems holds. */
export const MAX_TRANSACTION_WRITES = 100;

/**
 * How a write ended: done (with the attributes a single update set or added, such as a counter's
 * new value), or refused by the condition of the op at `op` (its index).
 */
export type WriteOutcome = { ok: true; attributes?: Record<string, unknown> } | { ok: false; reason: 'condition'; op: number; cause: unknown };

/**
 * Runs ops as one TransactWriteItems and says which op's condition refused it, if one did; a
 * transaction conflict is retried a few times, since it means another writer touched the same
 * items and the conditions must be checked again — at most `attempts` times, and never past
 * `deadline` (epoch ms, real time) when one is given.
 *
 * Under a write unit (`db.unit`) the ops are held back instead: the unit's owner commits them with
 * the idempotency key, and only then are their conditions checked (their `onConditionFail` errors
 * reach the caller then). A request that writes more than once commits its earlier transactions
 * when it starts the next one.
 */
export async function tryTransact(db: Db, ops: readonly TxOp[], attempts = 5, deadline = Infinity): Promise<WriteOutcome> {
  const { unit, ...plain } = db;
  // Under a unit, one write is left for the idempotency key's completion.
  const max = unit ? MAX_TRANSACTION_WRITES - 1 : MAX_TRANSACTION_WRITES;
  if (ops.length > max) throw new Error(`A transaction holds at most ${max} writes, got ${ops.length}`);
  if (unit) {
    const earlier = unit.pending;
    unit.pending = [...ops];
    if (earlier) await transact(plain, earlier, attempts, deadline);
    return { ok: true };
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: ops.map((o) => o.item) }));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) return { ok: false, reason: 'condition', op: failed, cause: error };
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      if (!conflict) throw error;
      if (attempt >= attempts || Date.now() >= deadline)
        throw new ConflictError('The request raced with another change to the same objects; retry it', {}, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
    }
  }
}

/** The error a refused write means: the domain error of the op whose condition failed. */
export const refusal = (ops: readonly TxOp[], outcome: Extract<WriteOutcome, { ok: false }>): unknown => ops[outcome.op]?.onConditionFail?.() ?? outcome.cause;

/** `tryTransact`, with a refused condition thrown as the domain error of the op that failed. */
export async function transact(db: Db, ops: readonly TxOp[], attempts = 5, deadline = Infinity): Promise<void> {
  const outcome = await tryTransact(db, ops, attempts, deadline);
  if (!outcome.ok) throw refusal(ops, outcome);
}

/**
 * One op as a single conditional write (half the cost of a one-item transaction). Not held back
 * by a write unit: for writes outside a request's effect (sessions, counters, delivery claims).
 */
export async function tryWriteOne(db: Db, op: TxOp, returnValues: 'UPDATED_NEW' | 'ALL_NEW' = 'UPDATED_NEW'): Promise<WriteOutcome> {
  const { Put, Update, Delete } = op.item;
  try {
    if (Put) await db.doc.send(new PutCommand(Put));
    else if (Update) return { ok: true, attributes: (await db.doc.send(new UpdateCommand({ ...Update, ReturnValues: returnValues }))).Attributes };
    else if (Delete) await db.doc.send(new DeleteCommand(Delete));
    else throw new Error('A single write is a Put, an Update or a Delete');
    return { ok: true };
  } catch (error) {
    if (isConditionFailure(error)) return { ok: false, reason: 'condition', op: 0, cause: error };
    throw error;
  }
}

/** `tryWriteOne`, with a refused condition thrown as the op's domain error; returns what an update set or added. */
export async function writeOne(db: Db, op: TxOp, returnValues: 'UPDATED_NEW' | 'ALL_NEW' = 'UPDATED_NEW'): Promise<Record<string, unknown> | undefined> {
  const outcome = await tryWriteOne(db, op, returnValues);
  if (!outcome.ok) throw refusal([op], outcome);
  return outcome.attributes;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}
