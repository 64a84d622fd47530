import type { Deps } from '../deps.js';
import type { Change } from '../store/stream-records.js';

/** Something the stream feeds: webhooks, report rollups, index refreshes. */
export interface StreamConsumer {
  name: string;
  handle(deps: Deps, change: Change): Promise<void>;
}
