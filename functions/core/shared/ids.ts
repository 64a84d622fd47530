import { monotonicFactory } from 'ulid';
import type { Clock } from './clock.js';

/** Prefixes of the ids Placard hands out: prefixed, sortable, ULID-based. */
export type IdPrefix =
  | 'tnt' | 'key' | 'acct' | 'slot' | 'unit' | 'ord' | 'cmp' | 'crv' | 'dec'
  | 'pay' | 'dep' | 'txn' | 'whk' | 'dlv' | 'rule' | 'psn' | 'inv';

export type IdSource = (prefix: IdPrefix) => string;

export function ulidIds(clock: Clock): IdSource {
  const next = monotonicFactory(pooledRandom());
  return (prefix) => `${prefix}_${next(clock().getTime()).toLowerCase()}`;
}

/** Predictable ids for tests: prefix_000001, prefix_000002, … */
export function sequentialIds(): IdSource {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(6, '0')}`;
}

const POOL_SIZE = 1024;
const UINT32_RANGE = 2 ** 32;

/**
 * ulid's default source asks the OS for one random value per character (16 per id): on the
 * serve path, where each decision takes an id, that was about 2.5 % of the CPU. The same
 * cryptographic randomness, drawn a pool at a time.
 */
function pooledRandom(): () => number {
  const pool = new Uint32Array(POOL_SIZE);
  let next = POOL_SIZE;
  return () => {
    if (next === POOL_SIZE) {
      crypto.getRandomValues(pool);
      next = 0;
    }
    return pool[next++]! / UINT32_RANGE;
  };
}
