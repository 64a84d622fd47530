import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../core/shared/errors.js';
import type { Db } from './client.js';
import type { Key } from './keys.js';
import { decodeCursor, encodeCursor, type Page } from './pagination.js';
import { isConditionFailure } from './transact.js';

/** The attributes every item carries besides its own fields. */
export type Stored<T> = T & Key & { entity: string; version: number; gsi1pk?: string; gsi1sk?: string; expiresAt?: number };

// `notify` is the webhook marker of a write (core/webhooks), not part of the object.
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'entity', 'version', 'expiresAt', 'notify'] as const;

/** An item without its storage attributes: what the domain and the API see. */
export function strip<T>(item: Stored<T> | Record<string, unknown>): T {
  const copy = { ...item } as Record<string, unknown>;
  for (const k of KEY_ATTRIBUTES) delete copy[k];
  return copy as T;
}

export async function getItem<T>(db: Db, key: Key, options: { consistent?: boolean } = {}): Promise<Stored<T> | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: options.consistent ?? false }));
  return out.Item as Stored<T> | undefined;
}

/**
 * Reads an item that belongs to a tenant. Another tenant's item answers exactly like a missing
 * one (404), so ids cannot be probed. `ownerField` names the attribute holding the owner's id.
 */
export async function getOwned<T extends Record<string, unknown>>(
  db: Db,
  key: Key,
  what: string,
  id: string,
  tenantId: string | undefined,
  ownerField: keyof T & string,
  options: { consistent?: boolean } = {},
): Promise<Stored<T>> {
  const item = await getItem<T>(db, key, options);
  if (!item || (tenantId !== undefined && item[ownerField] !== tenantId)) throw new NotFoundError(`${what} ${id} not found`);
  return item;
}

/** Creates an item that must not exist yet. */
export async function putNew(db: Db, item: Key & Record<string, unknown>, onExists: () => Error = () => new ConflictError('Already exists')): Promise<void> {
  try {
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
  } catch (error) {
    if (isConditionFailure(error)) throw onExists();
    throw error;
  }
}

/** One page of a Query on the table, on gsi1 or on a queue (gsi3); cursors are opaque to callers. */
export async function queryPage<T>(
  db: Db,
  query: {
    pk: string;
    skPrefix?: string;
    skBetween?: [string, string];
    index?: 'gsi1' | 'gsi3';
    limit: number;
    cursor?: string;
    newestFirst?: boolean;
    filter?: Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;
  },
): Promise<Page<Stored<T>>> {
  const pkName = query.index ? `${query.index}pk` : 'pk';
  const skName = query.index ? `${query.index}sk` : 'sk';
  const skCondition = query.skBetween ? ' AND #sk BETWEEN :sk AND :skTo' : query.skPrefix !== undefined ? ' AND begins_with(#sk, :sk)' : '';
  const skValues = query.skBetween ? { ':sk': query.skBetween[0], ':skTo': query.skBetween[1] } : query.skPrefix !== undefined ? { ':sk': query.skPrefix } : {};
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: query.index,
      KeyConditionExpression: `#pk = :pk${skCondition}`,
      ExpressionAttributeNames: { '#pk': pkName, ...(skCondition ? { '#sk': skName } : {}), ...query.filter?.ExpressionAttributeNames },
      ExpressionAttributeValues: { ':pk': query.pk, ...skValues, ...query.filter?.ExpressionAttributeValues },
      FilterExpression: query.filter?.FilterExpression,
      Limit: query.limit,
      ScanIndexForward: !query.newestFirst,
      ExclusiveStartKey: decodeCursor(query.cursor),
    }),
  );
  return { items: (out.Items ?? []) as Stored<T>[], nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Every item one Query finds, page after page: for jobs and reads of a bounded partition. */
export async function queryAll<T>(db: Db, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
