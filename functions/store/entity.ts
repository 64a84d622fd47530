import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/shared/errors.js';
import type { Key } from './keys.js';

/**
 * The one way to write an item. Every write is a `TxOp` made here — an item with its keys
 * (keys.ts) and the condition that guards it — and runs through `transact` (several, atomically)
 * or `writeOne` (transact.ts). A failed condition becomes the op's own domain error.
 */

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write and the domain error its failed condition means. */
export interface TxOp {
  item: TransactItem;
  onConditionFail?: () => Error;
}

/** An item as written: its keys and its attributes. */
export type Item = Key & Record<string, unknown>;

/** The attributes every item carries besides its own fields. */
export type Stored<T> = T & Key & { entity: string; version: number; gsi1pk?: string; gsi1sk?: string; expiresAt?: number };

/** What an op needs to know of the table: its name (a `Db` has it). */
interface Table {
  tableName: string;
}

// `notify` is the webhook marker of a write (core/webhooks), not part of the object.
const STORAGE_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'entity', 'version', 'expiresAt', 'notify'] as const;

/** An item without its storage attributes: what the domain and the API see. */
export function strip<T>(item: Stored<T> | Record<string, unknown>): T {
  const copy = { ...item } as Record<string, unknown>;
  for (const k of STORAGE_ATTRIBUTES) delete copy[k];
  return copy as T;
}

/** An item as a webhook event's data: its own fields and its version, without storage keys and the notify marker. */
export const eventData = (item: Record<string, unknown>): Record<string, unknown> => ({ ...strip<Record<string, unknown>>(item), version: item.version });

/** The conflict of an optimistic write: someone else wrote the item between our read and our write. */
export const changedMeanwhile = (what: string) => (): Error => new ConflictError(`${what} changed while this request ran; read it again and retry`);

/** Creates an item that must not exist yet. */
export function createOp(table: Table, item: Item, onExists: () => Error = () => new ConflictError('Already exists')): TxOp {
  return { item: { Put: { TableName: table.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFail: onExists };
}

/** Replaces an item if it still has the version that was read. */
export function replaceOp(table: Table, item: Item, readVersion: number, onChanged: () => Error): TxOp {
  return {
    item: { Put: { TableName: table.tableName, Item: item, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': readVersion } } },
    onConditionFail: onChanged,
  };
}

/** Creates the item (no version read) or replaces the version read. */
export function saveOp(table: Table, item: Item, readVersion: number | undefined, onFail: () => Error): TxOp {
  return readVersion === undefined ? createOp(table, item, onFail) : replaceOp(table, item, readVersion, onFail);
}

/** Writes an item whatever is there: pointers and counters guarded by the other ops of their transaction. */
export function putOp(table: Table, item: Item): TxOp {
  return { item: { Put: { TableName: table.tableName, Item: item } } };
}

/** Removes an item; with `match`, only while those attributes still hold those values. */
export function removeOp(table: Table, key: Key, match: Record<string, string | number> = {}): TxOp {
  const names = Object.keys(match);
  const condition =
    names.length === 0
      ? {}
      : {
          ConditionExpression: names.map((_, i) => `#m${i} = :m${i}`).join(' AND '),
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#m${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:m${i}`, match[n]])),
        };
  return { item: { Delete: { TableName: table.tableName, Key: key, ...condition } } };
}
