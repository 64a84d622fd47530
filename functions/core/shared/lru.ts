/**
 * A Map bounded to `capacity` entries that evicts the least recently used one: Map keeps insertion
 * order, so a `get` re-inserts its key at the end and the first key is always the oldest. Long-lived
 * serving state keyed by what callers send (ad-unit ids, fingerprints, viewers) lives in one of
 * these, so no stream of made-up keys can grow an instance's memory without bound.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('LruMap capacity must be a positive integer');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
    return this;
  }
}
