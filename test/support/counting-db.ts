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
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!/^(GetItem|BatchGetItem|Query|Scan|TransactGetItems)Command$/.test(context.commandName ?? '')) return result;
      const out = result.output as { Item?: unknown; Items?: unknown[]; ScannedCount?: number; Responses?: Record<string, unknown[]> };
      const read =
        (out.Item ? 1 : 0) + (out.ScannedCount ?? out.Items?.length ?? 0) + Object.values(out.Responses ?? {}).reduce((n, items) => n + items.length, 0);
      counter.items += read;
      counter.calls += 1;
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  return counter;
}
