import type { Logger } from '@aws-lambda-powertools/logger';
import type { Db } from '../../store/client.js';
import { addCounters, type CounterTarget, type Increments } from '../../store/reports.js';
import { getOrSet } from '../../core/shared/maps.js';

/**
 * Report and pacing counters, summed in memory per (dimension, id, period) and written with one
 * ADD per counter item at each flush (the serve engine flushes on a timer, with its postings).
 * Counters are not money: an instance that dies loses at most what it counted since its last
 * flush (COUNTER_FLUSH_MS), and a failed write is logged, not retried.
 */
export class Counters {
  private pending = new Map<string, { target: CounterTarget; inc: Record<string, number> }>();

  add(target: CounterTarget, inc: Increments): void {
    const key = `${target.dimension}|${target.id}|${target.period}`;
    const entry = getOrSet(this.pending, key, () => ({ target, inc: {} as Record<string, number> }));
    for (const [name, n] of Object.entries(inc)) if (n) entry.inc[name] = (entry.inc[name] ?? 0) + n;
  }

  async flush(db: Db, logger: Logger): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    await Promise.all(
      batch.map((c) => addCounters(db, c.target, c.inc).catch((error: unknown) => logger.warn('counter flush failed', { error, target: c.target }))),
    );
  }
}
