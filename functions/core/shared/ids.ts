import { monotonicFactory } from 'ulid';
import type { Clock } from './clock.js';

/** Prefixes of the ids Placard hands out: prefixed, sortable, ULID-based. */
export type IdPrefix =
  | 'tnt'
  | 'key'
  | 'acct'
  | 'slot'
  | 'unit'
  | 'ord'
  | 'cmp'
  | 'crv'
  | 'dec'
  | 'pay'
  | 'dep'
  | 'txn'
  | 'whk'
  | 'dlv'
  | 'rule'
  | 'lse'
  | 'psn'
  | 'inv';

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

/** The longest id body accepted (a ULID is 26 characters); with the prefix, ids stay far under DynamoDB's key limits. */
export const ID_BODY_MAX = 32;

/** What an id with one of these prefixes looks like: the prefix, `_`, then 1–32 lowercase letters and digits. */
export function idPattern(...prefixes: IdPrefix[]): RegExp {
  return new RegExp(`^(?:${prefixes.join('|')})_[0-9a-z]{1,${ID_BODY_MAX}}$`);
}

/** The longest id with one of these prefixes. */
export function idMaxLength(...prefixes: IdPrefix[]): number {
  return Math.max(...prefixes.map((p) => p.length)) + 1 + ID_BODY_MAX;
}
