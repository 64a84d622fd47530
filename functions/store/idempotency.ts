import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencyInProgressError, IdempotencyMismatchError } from '../core/shared/errors.js';
import type { Db } from './client.js';
import { keys } from './keys.js';
import type { TxOp } from './entity.js';
import { isConditionFailure, transact } from './transact.js';

export interface StoredResponse {
  status: number;
  body: string;
  contentType: string;
}

export type Claim = { kind: 'claimed'; token: string } | { kind: 'replay'; response: StoredResponse };

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
      try {
        await db.doc.send(
          new PutCommand({
            TableName: db.tableName,
            Item: {
              ...keys.idempotency(scope, key),
              entity: 'idempotency',
              version: 1,
              status: 'in_progress',
              requestHash,
              token,
              lockedUntil: nowSec + lockSeconds,
              expiresAt: nowSec + ttlSeconds,
            },
            // An expired record (TTL deletion lags) or an abandoned lock may be taken over.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR (#status = :inProgress AND lockedUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':now': nowSec, ':inProgress': 'in_progress' },
          }),
        );
        return { kind: 'claimed', token };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.idempotency(scope, key), ConsistentRead: true }));
      const item = out.Item;
      if (!item) return this.claim(scope, key, requestHash, token, now, ttlSeconds, lockSeconds);
      if (item.requestHash !== requestHash) {
        throw new IdempotencyMismatchError('This Idempotency-Key was used with a different request');
      }
      if (item.status !== 'completed') {
        throw new IdempotencyInProgressError('A request with this Idempotency-Key is still in progress');
      }
      return { kind: 'replay', response: item.response as StoredResponse };
    },

    /**
     * Writes the request's effect and completes its key in one transaction, so that a crash
     * leaves either neither (the key's lock expires and a retry runs the request) or both (a
     * retry gets this response). The completion only holds while the claim is still this
     * request's: a retry that took over an expired lock runs the effect instead, not as well.
     */
    async commit(scope: string, key: string, token: string, effect: readonly TxOp[], response: StoredResponse): Promise<void> {
      const completion: TxOp = {
        item: {
          Update: {
            TableName: db.tableName,
            Key: keys.idempotency(scope, key),
            UpdateExpression: 'SET #status = :completed, #response = :response',
            ConditionExpression: '#status = :inProgress AND #token = :token',
            ExpressionAttributeNames: { '#status': 'status', '#response': 'response', '#token': 'token' },
            ExpressionAttributeValues: { ':completed': 'completed', ':response': response, ':inProgress': 'in_progress', ':token': token },
          },
        },
        onConditionFail: () => new IdempotencyInProgressError('A retry with this Idempotency-Key took over this request after its lock expired'),
      };
      // First, so that losing the claim is the reason given when other conditions fail too.
      await transact(db, [completion, ...effect]);
    },

    /** A failed request frees its key so the client can retry it (unless a retry has taken it over). */
    async release(scope: string, key: string, token: string): Promise<void> {
      await db.doc
        .send(
          new DeleteCommand({
            TableName: db.tableName,
            Key: keys.idempotency(scope, key),
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': token },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    },
  };
}

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
