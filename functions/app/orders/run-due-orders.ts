import { dueJobs } from '../../core/orders/state-machine.js';
import { DomainError } from '../../core/shared/errors.js';
import type { StoreContext } from '../../store/context.js';
import { dueOrderIds, readOrder } from '../../store/orders.js';
import { stepOrder } from './act-on-order.js';

/** At most this many due orders per jobs run, so one run stays well inside the Lambda timeout. */
const MAX_DUE_PER_RUN = 500;
const DUE_PAGE = 100;

/**
 * The jobs function's pass: applies `expire` / `auto-complete` to every order whose deadline
 * pointer is due at `now`. An order that moved on meanwhile (a late accept, a dispute) is
 * skipped: the pointer went with that move, or the version check refuses the stale step.
 */
export async function runDueOrders(ctx: Pick<StoreContext, 'db' | 'ids' | 'clock' | 'config'>, now: Date): Promise<number> {
  let handled = 0;
  let cursor: string | undefined;
  do {
    const page = await dueOrderIds(ctx.db, now, { limit: DUE_PAGE, cursor });
    for (const id of page.items) {
      const order = await readOrder(ctx.db, id);
      const action = order && dueJobs(order, now);
      if (!order || !action) continue;
      try {
        await stepOrder(ctx, { role: 'system' }, order, action, { note: 'deadline passed' }, now);
        handled += 1;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    cursor = page.nextCursor;
  } while (cursor && handled < MAX_DUE_PER_RUN);
  return handled;
}
