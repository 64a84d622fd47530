import type { Deps } from '../deps.js';

/** One item's change on the table's stream, unmarshalled. */
export interface Change {
  id: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  entity: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** Something the stream feeds: webhooks, report rollups, index refreshes. */
export interface StreamConsumer {
  name: string;
  handle(deps: Deps, change: Change): Promise<void>;
}
