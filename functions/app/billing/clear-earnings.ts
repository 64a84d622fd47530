import type { Deps } from '../../deps.js';
import { accountVerified, clearEntry, clearingCursor, entriesDue, postpone, setClearingCursor } from '../../store/clearing.js';
import { LEASE_SHARDS } from '../../store/leases.js';
import { MS_PER_DAY } from '../../core/shared/time.js';

/**
 * Clearing (DESIGN §9): programmatic earnings wait in the owner's `pending` balance for
 * CLEARING_DAYS, open to invalid-traffic rulings, then become `earned` (withdrawable):
 * 1. from the first day not yet finished (a cursor) to today, read the entries due that day;
 * 2. an entry due by now clears what is still open of it, if its account is verified; an
 *    unverified account's entries wait a day and are looked at again (they never clear unverified);
 * 3. a past day with nothing left moves the cursor on.
 */

const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

export async function clearEarnings(deps: Deps, now: Date): Promise<number> {
  const today = day(now.getTime());
  const first = (await clearingCursor(deps)) ?? today;
  let cleared = 0;
  for (let t = Date.parse(first); day(t) <= today; t += MS_PER_DAY) {
    let left = 0;
    for (let shard = 0; shard < LEASE_SHARDS; shard++) {
      for (const entry of await entriesDue(deps, day(t), shard)) {
        if (entry.clearsAt > now.getTime()) {
          left += 1;
          continue;
        }
        if (!(await accountVerified(deps, entry.accountId))) {
          await postpone(deps, entry, day(Math.max(t, now.getTime()) + MS_PER_DAY));
          continue;
        }
        // A ruling or a late posting changed it meanwhile: the next run reads it again.
        if ((await clearEntry(deps, entry)) === 'moved') left += 1;
        else cleared += 1;
      }
    }
    if (left === 0 && day(t) < today) await setClearingCursor(deps, day(t + MS_PER_DAY));
  }
  if ((await clearingCursor(deps)) === undefined) await setClearingCursor(deps, today);
  return cleared;
}
