import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { getOrSet } from '../core/shared/maps.js';
import type { Db } from './client.js';
import type { Key } from './keys.js';

/**
 * Reads by key in BatchGetItem calls: `batchGetItems` for a known set of keys, and
 * `BatchReader`, which coalesces the single-item reads of concurrent requests into one call.
 */

/** DynamoDB's limit per BatchGetItem. */
export const BATCH_GET_LIMIT = 100;
/** Unprocessed keys (throttling, 16 MB responses) are asked again after a growing pause, this many times. */
const UNPROCESSED_ATTEMPTS = 8;
const UNPROCESSED_BASE_MS = 5;

export type Item = Record<string, unknown>;

/** The map key of an item's key. */
export function itemId(key: Key): string {
  return `${key.pk}\u0000${key.sk}`;
}

/** The items found for these (distinct) keys, by `itemId`; absent keys are absent from the map. */
export async function batchGetItems(db: Db, wanted: readonly Key[], options: { consistent?: boolean } = {}): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  for (let i = 0; i < wanted.length; i += BATCH_GET_LIMIT) {
    let chunk: Key[] = wanted.slice(i, i + BATCH_GET_LIMIT);
    for (let attempt = 0; chunk.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_ATTEMPTS) throw new Error(`BatchGetItem left ${chunk.length} keys unprocessed after ${UNPROCESSED_ATTEMPTS} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, UNPROCESSED_BASE_MS * 2 ** attempt));
      const out = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: chunk, ConsistentRead: options.consistent } } }));
      for (const item of out.Responses?.[db.tableName] ?? []) found.set(itemId({ pk: String(item.pk), sk: String(item.sk) }), item);
      chunk = (out.UnprocessedKeys?.[db.tableName]?.Keys as Key[] | undefined) ?? [];
    }
  }
  return found;
}

interface Pending {
  key: Key;
  waiters: { resolve: (item: Item | undefined) => void; reject: (error: unknown) => void }[];
}

/**
 * Single-item reads, coalesced: reads asked for in the same turn of the event loop (or within
 * `waitMs`) go out as one BatchGetItem (at once when 100 distinct keys wait), and two asks for the
 * same key share one. A server handling many requests at once (the local runner, a container)
 * then makes one DynamoDB call per batch instead of one per request, and pays no timer for it: a
 * lone read waits only for the current turn to end. A Lambda instance serves one request at a time,
 * so there every batch holds one key — the same single read as a GetItem.
 * Reads are eventually consistent, as a GetItem by default.
 */
export class BatchReader {
  private queue = new Map<string, Pending>();
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly waitMs = 0,
  ) {}

  get(key: Key): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      const id = itemId(key);
      const pending = getOrSet(this.queue, id, (): Pending => ({ key, waiters: [] }));
      pending.waiters.push({ resolve, reject });
      if (this.queue.size >= BATCH_GET_LIMIT) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        if (this.waitMs > 0) setTimeout(() => this.flush(), this.waitMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.size === 0) return;
    this.queue = new Map();
    batchGetItems(
      this.db,
      [...batch.values()].map((p) => p.key),
    ).then(
      (found) => {
        for (const [id, p] of batch) for (const w of p.waiters) w.resolve(found.get(id));
      },
      (error: unknown) => {
        for (const p of batch.values()) for (const w of p.waiters) w.reject(error);
      },
    );
  }
}
