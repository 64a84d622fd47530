import { monotonicFactory } from 'ulid';
import type { Clock } from './clock.js';

/** Prefixes of the ids Placard hands out: prefixed, sortable, ULID-based. */
export type IdPrefix =
  | 'tnt' | 'key' | 'acct' | 'slot' | 'unit' | 'ord' | 'cmp' | 'crv' | 'dec'
  | 'pay' | 'dep' | 'txn' | 'whk' | 'dlv' | 'rule';

export type IdSource = (prefix: IdPrefix) => string;

export function ulidIds(clock: Clock): IdSource {
  const next = monotonicFactory();
  return (prefix) => `${prefix}_${next(clock().getTime()).toLowerCase()}`;
}

/** Predictable ids for tests: prefix_000001, prefix_000002, … */
export function sequentialIds(): IdSource {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(6, '0')}`;
}
