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

/** A value a guard compares an attribute with. */
type Value = string | number | boolean;

/**
 * What must hold of the stored item for a write to go ahead; every field given must hold (AND),
 * `anyOf` needs one of its guards. The one place DynamoDB condition expressions are written.
 */
export interface Guard {
  /** No item at the key: a create. */
  absent?: true;
  /** The item is there. */
  exists?: true;
  /** These attributes hold these values (a version, a status, a token, an owner). */
  is?: Record<string, Value>;
  /** These attributes are missing (a mark not set yet). */
  missing?: readonly string[];
  /** Each attribute is at least its bound (a counter that must cover what is taken from it). */
  atLeast?: Record<string, number>;
  /** Each attribute is missing or below its bound (a counter under its cap, a lock past its time). */
  below?: Record<string, number>;
  /** Each attribute is missing or at most its bound (a balance a credit keeps within its limit). */
  atMost?: Record<string, number>;
  /** These attributes are there (a mark set). */
  present?: readonly string[];
  /** The item has not expired at this time: `expiresAt` (epoch seconds, the TTL attribute) after it. */
  live?: number;
  /** No item, or one that expired at this time (TTL deletes late). */
  expired?: number;
  anyOf?: readonly Guard[];
}

/** The names and values of one write's expressions, numbered as they are used. */
class Expressions {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  name(attribute: string): string {
    const ref = `#n${Object.keys(this.names).length}`;
    this.names[ref] = attribute;
    return ref;
  }
  value(value: unknown): string {
    const ref = `:v${Object.keys(this.values).length}`;
    this.values[ref] = value;
    return ref;
  }
  /** The guard as a condition. AND binds tighter than OR, and DynamoDB refuses redundant parentheses: only an OR inside an AND gets them. */
  condition(guard: Guard): string {
    const parts: string[] = [];
    const either = (...alternatives: string[]) => parts.push(alternatives.join(' OR '));
    if (guard.absent) parts.push('attribute_not_exists(pk)');
    if (guard.exists) parts.push('attribute_exists(pk)');
    for (const [attribute, value] of Object.entries(guard.is ?? {})) parts.push(`${this.name(attribute)} = ${this.value(value)}`);
    for (const attribute of guard.missing ?? []) parts.push(`attribute_not_exists(${this.name(attribute)})`);
    for (const attribute of guard.present ?? []) parts.push(`attribute_exists(${this.name(attribute)})`);
    for (const [attribute, bound] of Object.entries(guard.atLeast ?? {})) parts.push(`${this.name(attribute)} >= ${this.value(bound)}`);
    for (const [attribute, bound] of Object.entries(guard.below ?? {})) {
      const ref = this.name(attribute);
      either(`attribute_not_exists(${ref})`, `${ref} < ${this.value(bound)}`);
    }
    for (const [attribute, bound] of Object.entries(guard.atMost ?? {})) {
      const ref = this.name(attribute);
      either(`attribute_not_exists(${ref})`, `${ref} <= ${this.value(bound)}`);
    }
    if (guard.live !== undefined) parts.push(`${this.name('expiresAt')} > ${this.value(guard.live)}`);
    if (guard.expired !== undefined) either('attribute_not_exists(pk)', `${this.name('expiresAt')} <= ${this.value(guard.expired)}`);
    if (guard.anyOf) either(...guard.anyOf.map((g) => this.condition(g)));
    return parts.length === 1 ? (parts[0] ?? '') : parts.map((p) => (p.includes(' OR ') ? `(${p})` : p)).join(' AND ');
  }
  /** The expression fields of a write: its names and values, and its condition when guarded. */
  fields(guard: Guard | undefined): {
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    const condition = guard ? this.condition(guard) : '';
    return {
      ...(condition ? { ConditionExpression: condition } : {}),
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** Writes an item; with a guard, only while it holds (`onFail` is the error a refusal means). */
export function putOp(table: Table, item: Item, guard?: Guard, onFail?: () => Error): TxOp {
  return { item: { Put: { TableName: table.tableName, Item: item, ...new Expressions().fields(guard) } }, onConditionFail: onFail };
}

/** Creates an item that must not exist yet. */
export function createOp(table: Table, item: Item, onExists: () => Error = () => new ConflictError('Already exists')): TxOp {
  return putOp(table, item, { absent: true }, onExists);
}

/** Replaces an item if it still has the version that was read. */
export function replaceOp(table: Table, item: Item, readVersion: number, onChanged: () => Error): TxOp {
  return putOp(table, item, { is: { version: readVersion } }, onChanged);
}

/** Creates the item (no version read) or replaces the version read. */
export function saveOp(table: Table, item: Item, readVersion: number | undefined, onFail: () => Error): TxOp {
  return readVersion === undefined ? createOp(table, item, onFail) : replaceOp(table, item, readVersion, onFail);
}

/**
 * A partial change of an item: attributes set (undefined ones are skipped), attributes set only
 * while missing (`setOnce`: the first write's value stays), counters added to (a missing counter
 * starts from zero, or from its value in `from`), attributes removed.
 */
export interface Change {
  set?: Record<string, unknown>;
  setOnce?: Record<string, unknown>;
  add?: Record<string, number>;
  from?: Record<string, number>;
  remove?: readonly string[];
}

/**
 * Changes some attributes of an item (created by the change when absent, unless guarded): for
 * atomic counters (`add`, which starts a missing counter from zero) and for changes of a few
 * attributes where the whole item was not read.
 */
export function updateOp(table: Table, key: Key, change: Change, guard?: Guard, onFail?: () => Error): TxOp {
  const x = new Expressions();
  const from = change.from ?? {};
  const set = Object.entries(change.set ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([a, v]) => `${x.name(a)} = ${x.value(v)}`);
  for (const [a, v] of Object.entries(change.setOnce ?? {})) {
    const ref = x.name(a);
    set.push(`${ref} = if_not_exists(${ref}, ${x.value(v)})`);
  }
  const add: string[] = [];
  for (const [a, v] of Object.entries(change.add ?? {})) {
    const start = from[a];
    if (start === undefined) add.push(`${x.name(a)} ${x.value(v)}`);
    else {
      const ref = x.name(a);
      set.push(`${ref} = if_not_exists(${ref}, ${x.value(start)}) + ${x.value(v)}`);
    }
  }
  const clauses = [
    set.length > 0 ? `SET ${set.join(', ')}` : '',
    add.length > 0 ? `ADD ${add.join(', ')}` : '',
    change.remove?.length ? `REMOVE ${change.remove.map((a) => x.name(a)).join(', ')}` : '',
  ];
  const UpdateExpression = clauses.filter(Boolean).join(' ');
  return { item: { Update: { TableName: table.tableName, Key: key, UpdateExpression, ...x.fields(guard) } }, onConditionFail: onFail };
}

/** Removes an item; with a guard, only while it holds. */
export function removeOp(table: Table, key: Key, guard?: Guard, onFail?: () => Error): TxOp {
  return { item: { Delete: { TableName: table.tableName, Key: key, ...new Expressions().fields(guard) } }, onConditionFail: onFail };
}
