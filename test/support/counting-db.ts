import type { Db } from '../../functions/store/client.js';

/** Items DynamoDB read for the requests made since the last reset (GetItem, BatchGet, Query, Scan). */
export interface ReadCounter {
  items: number;
  calls: number;
  reset(): void;
}

/** Read commands, by class name (document client and low-level). Writes (late counter flushes, billing) are not reads. */
const READS = new Set(['GetCommand', 'BatchGetCommand', 'QueryCommand', 'ScanCommand', 'TransactGetCommand', 'GetItemCommand', 'BatchGetItemCommand']);

/** Counts items read through a Db by wrapping its document client's `send`. */
export function countReads(db: Db): ReadCounter {
  const counter: ReadCounter = {
    items: 0,
    calls: 0,
    reset() {
      counter.items = 0;
      counter.calls = 0;
    },
  };
  const send = db.doc.send.bind(db.doc) as (command: object) => Promise<unknown>;
  db.doc.send = (async (command: object) => {
    const result = await send(command);
    if (!READS.has(command.constructor.name)) return result;
    const out = result as { Item?: unknown; Items?: unknown[]; ScannedCount?: number; Responses?: Record<string, unknown[]> };
    counter.items += (out.Item ? 1 : 0) + (out.ScannedCount ?? out.Items?.length ?? 0) + Object.values(out.Responses ?? {}).reduce((n, items) => n + items.length, 0);
    counter.calls += 1;
    return result;
  }) as typeof db.doc.send;
  return counter;
}
