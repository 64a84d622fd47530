import type { TargetingContext } from './targeting.js';
import { flatten, type IndexEntry } from './be-index/conjunctions.js';
import { layOut } from './be-index/layout.js';
import { matcher } from './be-index/match.js';
import { choosePivots } from './be-index/pivots.js';

/**
 * Boolean-expression inverted index for DNF targeting, after Whang et al., "Indexing Boolean
 * Expressions", PVLDB 2009 (DNF variant): posting lists per (attribute, value) key and a Z list,
 * with each conjunction posted under one pivot — a single `in` predicate or a pair of them — and
 * its other predicates checked in place.
 *
 * Build (once; the index is immutable, a change to any campaign means building it again), in
 * passes over flat arrays, one module each (be-index/):
 * - conjunctions.ts: every conjunction, predicate and (attribute, value) key into flat lists.
 * - pivots.ts: key frequency — the probability that a request carries (attribute, value),
 *   estimated from the targeting itself (advertisers target what traffic has): the value's share
 *   of the attribute's `in` postings times the values a request carries for the attribute (1,
 *   and ~2.5 interests: a viewer's interests are each a chance to hold) — and each pivot:
 *   the `in` predicate, or pair of `in` predicates on two attributes, whose postings a
 *   random request reads least often: Σ P(value) for one, Σ P(u ∧ v) for a pair, with
 *   P(u ∧ v) = P(u)·P(v) except among the ad unit's attributes (unit, account, category), which
 *   determine one another: there min(P(u), P(v)). A pair key (u, v) is posted once per value
 *   pair, so a pair wins only if it is clearly rarer (PAIR_GAIN) and small (MAX_PAIR_POSTINGS).
 *   A triple pivot: three `in` predicates on three attributes (Σ P(u)·P(v)·P(w), the unit's
 *   attributes counted once, by their rarest), when it beats the best single or pair by
 *   TRIPLE_GAIN and posts at most MAX_TRIPLE_POSTINGS records. Its keys sorted x < y < z, it is
 *   found through its prefix pair (x, y) — interned in the pair table even when nothing is posted
 *   under the pair alone — as table entry (-1 - pairId, z).
 * - layout.ts: each posting is a record (campaign, n, program of n words): the conjunction's other
 *   predicates, each `(keys × 2 + isIn), keys…`, most likely to fail first. (A one-word form for
 *   one-value predicates was tried: the extra branch made matching ~8% slower.)
 * - Conjunctions without `in` predicates (only ∉, or none) form the Z list: they hold unless
 *   vetoed, so they are posted under their ∉ values in a separate list.
 * - All records live in one Int32Array: segment s (a key, then the pair keys) spans
 *   [offsets[s], offsets[s + 1]). Pair keys are found through an open-addressing table.
 *   Pair and triple keys live in tables.ts.
 *
 * Match (one request, match.ts):
 * 1. Stamp the context's keys (a per-key epoch, so nothing is cleared between requests).
 * 2. Z: ∉ postings of the context's keys veto their conjunctions; the others hold.
 * 3. Per context key, per pair of context keys that both appear in some pair key, and per
 *    larger context key that ends a triple of such a pair, each record is a conjunction whose
 *    pivot holds: run its program (each predicate: is any of its keys stamped?) and emit its
 *    campaign if it holds, deduplicated by a per-campaign stamp.
 *
 * Why this shape (100 000 campaigns, bench/engine.ts): Whang et al.'s Conjunction algorithm
 * (skipping through K lists in step) cost 4.3 ms a request in JS; counting over all postings 1.6
 * ms; counting over the two most selective predicates 0.46 ms (a cache miss per posting on the
 * conjunction's state); one pivot with the program inline, read sequentially, 0.28 ms for
 * ~14 500 records a request. Choosing pivots by request frequency and posting pairs where a
 * single value is still popular (region × age band, interest × gender…) reads ~4 000 records for
 * ~1 600 matches. Triples (region × age band × interest…) cut that to ~2 500 records, and on the
 * heaviest 1 % of requests (every value the most popular one: ~5 800 matches) from ~11 400 to
 * ~9 400; most of the rest fail a fourth predicate. The answer stays exact because every predicate of a candidate is checked: a
 * multi-valued context or two `in` predicates on one attribute need no special case, a predicate
 * holds when any of its keys is stamped. The K partitions of the paper are not kept (a request
 * carries nearly every attribute, so they pruned nothing).
 */

export type { IndexEntry } from './be-index/conjunctions.js';

export interface BuildOptions {
  /** Post pairs of predicates as one key when that is much rarer (default true). */
  pairs?: boolean;
  /**
   * Post triples of predicates as one key where the best pair is still read often (needs
   * `pairs`). Default: only from TRIPLE_MIN_CONJUNCTIONS conjunctions; below that the extra
   * look-ups cost a request more than the records they save (1 000 campaigns: +1 µs).
   */
  triples?: boolean;
}

export interface IndexStats {
  campaigns: number;
  conjunctions: number;
  /** Entries over all posting lists, Z included. */
  postings: number;
  /** Distinct (attribute, value) keys. */
  keys: number;
  /** Distinct pair keys ((attribute, value) × (attribute, value)) posted. */
  pairKeys: number;
  /** Distinct triple keys (three values on three attributes) posted. */
  tripleKeys: number;
}

export interface TargetingIndex {
  /** Ids of the campaigns whose targeting matches, each once, in no particular order. */
  match(ctx: TargetingContext): string[];
  /**
   * The same answer as campaign ordinals (positions in `campaignIds`), without making strings:
   * a view of the index's scratch, valid until the next call.
   */
  matchOrdinals(ctx: TargetingContext): Int32Array;
  /** Campaign ids by ordinal: each distinct id of the entries, in the order first given. */
  readonly campaignIds: readonly string[];
  readonly stats: IndexStats;
  /** Approximate bytes held by the index's arrays (postings, key tables, scratch). */
  memoryBytes(): number;
}

/** Rough per-key cost of the key tables (Map entry, string). */
const KEY_OVERHEAD_BYTES = 64;
/** Rough per-campaign cost of the id table (array slot, string). */
const CAMPAIGN_OVERHEAD_BYTES = 64;
/** Default for `triples`: on from this many conjunctions (100 000 campaigns hold ~180 000). */
const TRIPLE_MIN_CONJUNCTIONS = 50_000;

export function buildIndex(entries: readonly IndexEntry[], options: BuildOptions = {}): TargetingIndex {
  const flat = flatten(entries);
  const usePairs = options.pairs ?? true;
  const useTriples = usePairs && (options.triples ?? flat.conjunctions >= TRIPLE_MIN_CONJUNCTIONS);
  const layout = layOut(flat, choosePivots(flat, usePairs, useTriples));
  const { campaignIds } = flat;
  const scratch = matcher(flat.keyIds, layout, campaignIds.length);
  const stats: IndexStats = {
    campaigns: campaignIds.length,
    conjunctions: flat.conjunctions,
    postings: layout.records + layout.zCampaign.length,
    keys: flat.keys,
    pairKeys: layout.pairKeys,
    tripleKeys: layout.tripleKeys,
  };
  const bytes =
    scratch.bytes +
    layout.lists.byteLength +
    layout.offsets.byteLength +
    layout.zLists.byteLength +
    layout.zOffsets.byteLength +
    layout.zCampaign.byteLength +
    layout.inPair.byteLength +
    layout.inTriple.byteLength +
    layout.hasTriple.byteLength +
    (layout.pairs?.byteLength ?? 0) +
    flat.keys * KEY_OVERHEAD_BYTES +
    campaignIds.length * CAMPAIGN_OVERHEAD_BYTES;
  return {
    match: (ctx) => Array.from(scratch.match(ctx), (o) => campaignIds[o] as string),
    matchOrdinals: scratch.match,
    campaignIds,
    stats,
    memoryBytes: () => bytes,
  };
}
