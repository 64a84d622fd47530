import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencyInProgressError, IdempotencyMismatchError } from '../core/shared/errors.js';
import type { Db } from './client.js';
import { keys } from './keys.js';
import { isConditionFailure } from './transact.js';

export interface StoredResponse {
  status: number;
  body: string;
  contentType: string;
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; response: StoredResponse };

/**
 * Idempotency records, after @aws-lambda-powertools/idempotency's DynamoDB persistence layer:
 * a conditional put claims the key (in progress), the first response completes it, a TTL
 * removes it. Kept here rather than using powertools because Placard replays whole HTTP
 * responses, scopes keys per tenant and keeps everything in its one table.
 */
export function idempotencyStore(db: Db) {
  return {
    async claim(scope: string, key: string, requestHash: string, now: Date, ttlSeconds: number, lockSeconds: number): Promise<Claim> {
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
              lockedUntil: nowSec + lockSeconds,
              expiresAt: nowSec + ttlSeconds,
            },
            // An expired record (TTL deletion lags) or an abandoned lock may be taken over.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR (#status = :inProgress AND lockedUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':now': nowSec, ':inProgress': 'in_progress' },
          }),
        );
        return { kind: 'claimed' };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.idempotency(scope, key), ConsistentRead: true }));
      const item = out.Item;
      if (!item) return this.claim(scope, key, requestHash, now, ttlSeconds, lockSeconds);
      if (item.requestHash !== requestHash) {
        throw new IdempotencyMismatchError('This Idempotency-Key was used with a different request');
      }
      if (item.status !== 'completed') {
        throw new IdempotencyInProgressError('A request with this Idempotency-Key is still in progress');
      }
      return { kind: 'replay', response: item.response as StoredResponse };
    },

    async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.idempotency(scope, key),
          UpdateExpression: 'SET #status = :completed, #response = :response',
          ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
          ExpressionAttributeValues: { ':completed': 'completed', ':response': response },
        }),
      );
    },

    /** A failed request frees its key so the client can retry it. */
    async release(scope: string, key: string): Promise<void> {
      await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.idempotency(scope, key) }));
    },
  };
}

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
