import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../core/shared/errors.js';
import type { Db } from './client.js';
import type { Stored } from './entity.js';
import type { Key } from './keys.js';
import { decodeCursor, encodeCursor, type Page } from './pagination.js';

/** Reads of items; every write goes through entity.ts and transact.ts. */

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
