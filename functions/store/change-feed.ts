import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../core/shared/clock.js';
import type { Db } from './client.js';
import type { Stored } from './entity.js';
import { keys } from './keys.js';

export type FeedName = 'market' | 'campaigns';

/**
 * Items that in-memory snapshots follow (marketplace listings, active campaigns) carry these
 * gsi2 keys: the feed, and the update time. A snapshot then reads only what changed since its
 * last look: one Query that returns nothing when nothing changed, never a Scan.
 */
export function feedKeys(feed: FeedName, updatedAt: string, id: string): { gsi2pk: string; gsi2sk: string } {
  return { gsi2pk: keys.feed(feed), gsi2sk: `${updatedAt}#${id}` };
}

export interface ChangeFeedOptions {
  /** Writers' clocks differ and index updates lag: each look re-reads this far back. */
  overlapMs: number;
  /** Looks closer together than this reuse the last one: at most one Query per interval per process. */
  minIntervalMs: number;
}

export const CHANGE_FEED_DEFAULTS: ChangeFeedOptions = { overlapMs: 5_000, minIntervalMs: 1_000 };

/**
 * Follows one feed and keeps the newest version of each item in memory. The first refresh
 * loads the whole feed; later ones only what changed. An item that should leave the snapshot
 * stays in the feed with a state that says so (e.g. `deleted`), since removals are not seen.
 */
export class ChangeFeed<T extends { id: string }> {
  readonly items = new Map<string, Stored<T>>();
  /** Key values may not be empty strings; every ISO timestamp sorts after '0'. */
  private since = '0';
  private lastLook = -Infinity;
  private pending: Promise<number> | undefined;

  constructor(
    private readonly db: Db,
    private readonly feed: FeedName,
    private readonly clock: Clock,
    private readonly options: ChangeFeedOptions = CHANGE_FEED_DEFAULTS,
  ) {}

  /** Brings the snapshot up to date if the last look is older than minIntervalMs; says how many items changed. */
  async refresh(force = false): Promise<number> {
    const now = this.clock().getTime();
    if (!force && now - this.lastLook < this.options.minIntervalMs) return 0;
    this.pending ??= this.look(now).finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async look(now: number): Promise<number> {
    const from = this.since;
    let changed = 0;
    let newest = from;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.doc.send(
        new QueryCommand({
          TableName: this.db.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :from',
          ExpressionAttributeValues: { ':pk': keys.feed(this.feed), ':from': from },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of out.Items ?? []) {
        const item = raw as Stored<T>;
        const known = this.items.get(item.id);
        if (!known || known.version < item.version) {
          this.items.set(item.id, item);
          changed += 1;
        }
        if (typeof raw.gsi2sk === 'string' && raw.gsi2sk > newest) newest = raw.gsi2sk;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    this.lastLook = now;
    // Everything stamped before now − overlap was visible to this look (overlap covers index lag
    // and clock skew). Counting back from the newest item instead would re-read a whole bulk
    // load (e.g. the seed) on every look while the feed stays quiet.
    if (newest > from) this.since = new Date(now - this.options.overlapMs).toISOString();
    return changed;
  }
}
