import { LruMap } from '../shared/lru.js';

/**
 * Requests per key per fixed window (a minute by default), counted in memory: the serve path
 * reads and writes nothing for it. Keys live in a bounded LRU, so a flood of new keys costs
 * memory up to `capacity` and no more (an evicted key starts again at 0; it is the least recently
 * seen one). A fixed window lets a key through up to twice its limit across a window's edge; the
 * limits are sized with that in mind. Per instance: N warm instances let N× through, which is why
 * money is bounded at billing (per-source limits there), not here.
 */
export class RateLimiter {
  private window = Number.NaN;
  private counts: LruMap<string, number>;

  constructor(
    private readonly limit: number,
    private readonly capacity: number,
    private readonly windowMs = 60_000,
  ) {
    this.counts = new LruMap(capacity);
  }

  /** Counts one request for `key` at `now` (epoch ms); false when the key is over its limit. */
  take(key: string, now: number): boolean {
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new LruMap(this.capacity);
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n <= this.limit;
  }

  /** Seconds until the current window ends: the Retry-After of a refusal. */
  retryAfterSeconds(now: number): number {
    return Math.ceil(((Math.floor(now / this.windowMs) + 1) * this.windowMs - now) / 1000);
  }
}
