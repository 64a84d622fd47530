import { updateOp } from './entity.js';
import { writeOne } from './transact.js';
import { staleCounters, type FrequencyCap } from '../core/serving/frequency.js';
import type { Db } from './client.js';
import { keys } from './keys.js';
import { MS_PER_HOUR } from '../core/shared/time.js';

/**
 * Housekeeping of a viewer's frequency item (one item per viewer: the hourly buckets decisions
 * read, and the cap windows billing counts in — journal.ts). A capped impression's count returns
 * the whole item (no read of its own); when it holds counters no window reads any more (about once
 * a bucket per viewer), one update REMOVEs them, so the item stays small. Removing never races an
 * ADD: only current buckets and windows are ever added to, and a stale one is an old one.
 */

export interface FrequencyCaps {
  /** A campaign's cap; null when it never serves again (ended, archived); undefined when unknown or uncapped. */
  capOf: (campaignId: string) => FrequencyCap | null | undefined;
  /** The longest cap (hours) of any campaign that may still serve. */
  maxPerHours: number;
}

/** `cap#<campaign>#<perHours>h<window>`: the billing counter of one cap window (journal.ts). */
const CAP_WINDOW = /^cap#.+#(\d+)h(\d+)$/;

export const capWindowAttribute = (campaignId: string, perHours: number, window: number): string => `cap#${campaignId}#${perHours}h${window}`;

/** Removes what no window reads any more from the viewer's item, given as the impression's count left it (`item`). */
export async function tidyViewer(db: Db, viewerHash: string, item: Record<string, unknown>, caps: FrequencyCaps, now: number): Promise<void> {
  const key = keys.viewerFrequency(viewerHash);
  const names = Object.keys(item);
  const stale = [
    ...staleCounters(names, caps.capOf, caps.maxPerHours, now),
    ...names.filter((name) => {
      const m = CAP_WINDOW.exec(name);
      return m !== null && (Number(m[2]) + 1) * Number(m[1]) * MS_PER_HOUR <= now;
    }),
  ];
  if (stale.length === 0) return;
  await writeOne(db, updateOp(db, key, { remove: stale }));
}
