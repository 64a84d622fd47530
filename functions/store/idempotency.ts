import { IdempotencyInProgressError } from '../core/shared/errors.js';
import type { Db } from './client.js';
import { keys } from './keys.js';
import { putOp, removeOp, updateOp, type TxOp } from './entity.js';
import { getItem } from './items.js';
import { transact, tryWriteOne } from './transact.js';

export interface StoredResponse {
  status: number;
  body: string;
  contentType: string;
}

/** What a claim found: the key is this request's now, its first request's response to replay, or taken by another request (another body, or still running). */
export type Claim = { kind: 'claimed'; token: string } | { kind: 'replay'; response: StoredResponse } | { kind: 'mismatch' } | { kind: 'in_progress' };

/**
 * Idempotency records, after @aws-lambda-powertools/idempotency's DynamoDB persistence layer:
 * a conditional put claims the key (in progress, with a token), the request's own writes commit
 * in one transaction with the key's completion and its response, a TTL removes it. Kept here
 * rather than using powertools because Placard replays whole HTTP responses, scopes keys per
 * tenant, and makes the completion atomic with the effect.
 */
export function idempotencyStore(db: Db) {
  return {
    async claim(scope: string, key: string, requestHash: string, token: string, now: Date, ttlSeconds: number, lockSeconds: number): Promise<Claim> {
      const nowSec = Math.floor(now.getTime() / 1000);
      const record = {
        ...keys.idempotency(scope, key),
        entity: 'idempotency',
        version: 1,
        status: 'in_progress',
        requestHash,
        token,
        lockedUntil: nowSec + lockSeconds,
        expiresAt: nowSec + ttlSeconds,
      };
      // An expired record (TTL deletion lags) or an abandoned lock may be taken over.
      const takeOver = {
        anyOf: [{ absent: true }, { below: { expiresAt: nowSec } }, { is: { status: 'in_progress' }, below: { lockedUntil: nowSec } }],
      } as const;
      if ((await tryWriteOne(db, putOp(db, record, takeOver))).ok) return { kind: 'claimed', token };
      const item = await getItem<{ requestHash: string; status: string; response: StoredResponse }>(db, keys.idempotency(scope, key), { consistent: true });
      if (!item) return this.claim(scope, key, requestHash, token, now, ttlSeconds, lockSeconds);
      if (item.requestHash !== requestHash) return { kind: 'mismatch' };
      if (item.status !== 'completed') return { kind: 'in_progress' };
      return { kind: 'replay', response: item.response };
    },

    /**
     * Writes the request's effect and completes its key in one transaction, so that a crash
     * leaves either neither (the key's lock expires and a retry runs the request) or both (a
     * retry gets this response). The completion only holds while the claim is still this
     * request's: a retry that took over an expired lock runs the effect instead, not as well.
     */
    async commit(scope: string, key: string, token: string, effect: readonly TxOp[], response: StoredResponse): Promise<void> {
      const completion = updateOp(
        db,
        keys.idempotency(scope, key),
        { set: { status: 'completed', response } },
        { is: { status: 'in_progress', token } },
        () => new IdempotencyInProgressError('A retry with this Idempotency-Key took over this request after its lock expired'),
      );
      // First, so that losing the claim is the reason given when other conditions fail too.
      await transact(db, [completion, ...effect]);
    },

    /** A failed request frees its key so the client can retry it (unless a retry has taken it over). */
    async release(scope: string, key: string, token: string): Promise<void> {
      // Refused: a retry has taken the key over, and it is theirs now.
      await tryWriteOne(db, removeOp(db, keys.idempotency(scope, key), { is: { token } }));
    },
  };
}

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
