import { ATTRIBUTES } from './targeting.js';
import type { Attribute, Conjunction, Targeting, TargetingContext } from './targeting.js';

/**
 * Boolean-expression inverted index for DNF targeting, after Whang et al., "Indexing Boolean
 * Expressions", PVLDB 2009 (DNF variant): posting lists per (attribute, value) key and a Z list,
 * with each conjunction posted under one pivot — a single `in` predicate or a pair of them — and
 * its other predicates checked in place.
 *
 * Build (once; the index is immutable, a change to any campaign means building it again):
 * - Key frequency: the probability that a request carries (attribute, value). From observed
 *   traffic when the caller passes `keyFrequency`; otherwise estimated from the targeting itself
 *   (advertisers target what traffic has): the value's share of the attribute's `in` postings
 *   times the values a request carries for the attribute (`valuesPerRequest`, default 1, and
 *   ~2.5 interests: a viewer's interests are each a chance to hold).
 * - Pivot: the `in` predicate, or pair of `in` predicates on two attributes, whose postings a
 *   random request reads least often: Σ P(value) for one, Σ P(u ∧ v) for a pair, with
 *   P(u ∧ v) = P(u)·P(v) except among the ad unit's attributes (unit, account, category), which
 *   determine one another: there min(P(u), P(v)). A pair key (u, v) is posted once per value
 *   pair, so a pair wins only if it is clearly rarer (PAIR_GAIN) and small (MAX_PAIR_POSTINGS).
 * - Triple pivot: three `in` predicates on three attributes (Σ P(u)·P(v)·P(w), the unit's
 *   attributes counted once, by their rarest), when it beats the best single or pair by
 *   TRIPLE_GAIN and posts at most MAX_TRIPLE_POSTINGS records. Its keys sorted x < y < z, it is
 *   found through its prefix pair (x, y) — interned in the pair table even when nothing is posted
 *   under the pair alone — as table entry (-1 - pairId, z).
 * - Each posting is a record (campaign, n, program of n words): the conjunction's other
 *   predicates, each `(keys × 2 + isIn), keys…`, most likely to fail first. (A one-word form for
 *   one-value predicates was tried: the extra branch made matching ~8% slower.)
 * - Conjunctions without `in` predicates (only ∉, or none) form the Z list: they hold unless
 *   vetoed, so they are posted under their ∉ values in a separate list.
 * - All records live in one Int32Array: segment s (a key, then the pair keys) spans
 *   [offsets[s], offsets[s + 1]). Pair keys are found through an open-addressing table.
 *   The build is a few passes over flat arrays (no per-conjunction objects).
 *
 * Match (one request):
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
 * carries nearly every attribute, so they pruned nothing); `stats.partitionSizes` still reports K.
 */

/** The shape of one campaign for the index. The same id given twice ORs the targetings. */
export interface IndexEntry {
  id: string;
  targeting: Targeting;
}

export interface BuildOptions {
  /**
   * Probability that a request carries `value` for `attribute` (0…1), e.g. measured on recent
   * traffic. Only steers which predicates are posted (speed, memory); never the answer.
   */
  keyFrequency?: (attribute: Attribute, value: string) => number;
  /** Values a request carries per attribute, for the default estimate (default: interest 2.5, others 1). */
  valuesPerRequest?: Partial<Record<Attribute, number>>;
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
  /** Conjunctions per K, the number of distinct attributes among their `in` predicates (index = K). */
  partitionSizes: number[];
  /** Conjunctions evaluated outside the index; always 0 now that programs take any size (kept for callers). */
  unindexed: number;
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

/** Record and list offsets are Int32. */
const MAX_WORDS = 2 ** 31 - 1;
/** Stamps wrap before the Int32 epoch would overflow; then all stamps are cleared once. */
const MAX_EPOCH = 0x7fffffff;
/** Rough per-key cost of the key tables (Map entry, string). */
const KEY_OVERHEAD_BYTES = 64;
/** Rough per-campaign cost of the id table (array slot, string). */
const CAMPAIGN_OVERHEAD_BYTES = 64;
/** A pair pivot must be read at most this share as often as the best single one. */
const PAIR_GAIN = 0.7;
/** A pair pivot posts |p| × |q| records: not more than this. */
const MAX_PAIR_POSTINGS = 9;
/** A triple pivot must be read at most this share as often as the best single or pair one. */
const TRIPLE_GAIN = 0.7;
/** A triple pivot posts |p| × |q| × |r| records: not more than this. */
const MAX_TRIPLE_POSTINGS = 8;
/** …and only where the single or pair pivot would be read by more than this share of requests. */
const MIN_TRIPLE_ESTIMATE = 0.01;
/** Default for `triples`: on from this many conjunctions (100 000 campaigns hold ~180 000). */
const TRIPLE_MIN_CONJUNCTIONS = 50_000;
/** Default values per request: a viewer carries several interests. */
const DEFAULT_VALUES_PER_REQUEST: Partial<Record<Attribute, number>> = { interest: 2.5 };
/** Attributes of the ad unit: the unit fixes the account, the account its category. */
const UNIT_ATTRIBUTES: ReadonlySet<Attribute> = new Set<Attribute>(['adUnitId', 'accountId', 'accountCategory']);

/** A growable Int32Array. */
class IntList {
  a: Int32Array;
  n = 0;
  constructor(capacity = 1024) {
    this.a = new Int32Array(capacity);
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

/** Open-addressing (lo, hi) → id table; ids are dense from 0. */
class PairTable {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly id: Int32Array;
  readonly mask: number;
  size = 0;
  constructor(capacity: number) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n);
    this.id = new Int32Array(n).fill(-1);
    this.mask = n - 1;
  }
  get(lo: number, hi: number): number {
    let h = pairHash(lo, hi) & this.mask;
    for (;;) {
      const id = this.id[h] as number;
      if (id < 0 || (this.lo[h] === lo && this.hi[h] === hi)) return id;
      h = (h + 1) & this.mask;
    }
  }
  intern(lo: number, hi: number): number {
    let h = pairHash(lo, hi) & this.mask;
    for (;;) {
      const id = this.id[h] as number;
      if (id < 0) {
        this.lo[h] = lo;
        this.hi[h] = hi;
        this.id[h] = this.size;
        return this.size++;
      }
      if (this.lo[h] === lo && this.hi[h] === hi) return id;
      h = (h + 1) & this.mask;
    }
  }
  get byteLength(): number {
    return this.lo.byteLength * 3;
  }
}

function pairHash(lo: number, hi: number): number {
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 7;
}

export function buildIndex(entries: readonly IndexEntry[], options: BuildOptions = {}): TargetingIndex {
  const usePairs = options.pairs ?? true;
  const valuesPerRequest = { ...DEFAULT_VALUES_PER_REQUEST, ...options.valuesPerRequest };
  const attributeOrdinal = new Map<Attribute, number>(ATTRIBUTES.map((a, i) => [a, i]));
  const unitAttribute = ATTRIBUTES.map((a) => UNIT_ATTRIBUTES.has(a));

  const campaignIds: string[] = [];
  const campaignIndex = new Map<string, number>();
  /** Attribute ordinal → value → key id. */
  const keyIds: Map<string, number>[] = ATTRIBUTES.map(() => new Map());
  const keyAttribute: number[] = [];
  const keyValue: string[] = [];
  /** Per key, the number of `in` predicates that name it; per attribute, their sum. */
  const keyInCount: number[] = [];
  const attributeInCount = new Array<number>(ATTRIBUTES.length).fill(0);

  // Pass 1: conjunctions, predicates and their keys into flat lists.
  // Conjunction c: campaign, k, predicates [cStart[c], cStart[c + 1]).
  // Predicate p: isIn, attribute, keys pKeys[pStart[p], pStart[p + 1]).
  const cCampaign = new IntList();
  const cK = new IntList();
  const cStart = new IntList();
  const pIn = new IntList();
  const pAttribute = new IntList();
  const pStart = new IntList();
  const pKeys = new IntList();

  const keyId = (attribute: number, value: string): number => {
    const byValue = keyIds[attribute] as Map<string, number>;
    let id = byValue.get(value);
    if (id === undefined) {
      id = keyAttribute.length;
      byValue.set(value, id);
      keyAttribute.push(attribute);
      keyValue.push(value);
      keyInCount.push(0);
    }
    return id;
  };

  const addConjunction = (campaign: number, conjunction: Conjunction): void => {
    let mask = 0;
    for (const p of conjunction) {
      if (p.op !== 'in') continue;
      // An `in` without values never holds, so neither does its conjunction: nothing to index.
      if (p.values.length === 0) return;
      mask |= 1 << (attributeOrdinal.get(p.attribute) as number);
    }
    cCampaign.push(campaign);
    cStart.push(pIn.n);
    let k = 0;
    for (; mask !== 0; mask &= mask - 1) k++;
    cK.push(k);
    for (const p of conjunction) {
      // A ∉ without values always holds.
      if (p.values.length === 0) continue;
      const attribute = attributeOrdinal.get(p.attribute) as number;
      const isIn = p.op === 'in';
      const first = pKeys.n;
      pIn.push(isIn ? 1 : 0);
      pAttribute.push(attribute);
      pStart.push(first);
      for (const value of p.values) {
        const key = keyId(attribute, value);
        // Repeated values would only repeat a posting.
        let seen = false;
        for (let i = first; i < pKeys.n; i++) if (pKeys.a[i] === key) seen = true;
        if (seen) continue;
        pKeys.push(key);
        if (isIn) {
          keyInCount[key] = (keyInCount[key] as number) + 1;
          attributeInCount[attribute] = (attributeInCount[attribute] as number) + 1;
        }
      }
    }
  };

  const everything: Conjunction[] = [[]];
  for (const entry of entries) {
    let ci = campaignIndex.get(entry.id);
    if (ci === undefined) {
      ci = campaignIds.length;
      campaignIndex.set(entry.id, ci);
      campaignIds.push(entry.id);
    }
    for (const conjunction of entry.targeting.length === 0 ? everything : entry.targeting) addConjunction(ci, conjunction);
  }
  const conjunctions = cCampaign.n;
  const useTriples = usePairs && (options.triples ?? conjunctions >= TRIPLE_MIN_CONJUNCTIONS);
  const predicates = pIn.n;
  cStart.push(predicates);
  pStart.push(pKeys.n);
  const keys = keyAttribute.length;

  // Key frequency: observed, or share of the attribute's `in` postings × values per request.
  const frequency = new Float64Array(keys);
  for (let key = 0; key < keys; key++) {
    const attribute = keyAttribute[key] as number;
    const name = ATTRIBUTES[attribute] as Attribute;
    const f = options.keyFrequency
      ? options.keyFrequency(name, keyValue[key] as string)
      : ((keyInCount[key] as number) / Math.max(1, attributeInCount[attribute] as number)) * (valuesPerRequest[name] ?? 1);
    frequency[key] = Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 1;
  }
  const pKeyArr = pKeys.a;
  const pStartArr = pStart.a;
  const pInArr = pIn.a;
  const pAttributeArr = pAttribute.a;
  // Per predicate: Σ frequency of its keys (the chance it meets the context, roughly).
  const pEstimate = new Float64Array(predicates);
  for (let p = 0; p < predicates; p++) {
    let sum = 0;
    for (let i = pStartArr[p] as number, end = pStartArr[p + 1] as number; i < end; i++) sum += frequency[pKeyArr[i] as number] as number;
    pEstimate[p] = sum;
  }
  const pairEstimate = (p: number, q: number): number => {
    if (!(unitAttribute[pAttributeArr[p] as number] && unitAttribute[pAttributeArr[q] as number])) {
      return (pEstimate[p] as number) * (pEstimate[q] as number);
    }
    let sum = 0;
    for (let i = pStartArr[p] as number, ie = pStartArr[p + 1] as number; i < ie; i++) {
      const fu = frequency[pKeyArr[i] as number] as number;
      for (let j = pStartArr[q] as number, je = pStartArr[q + 1] as number; j < je; j++) sum += Math.min(fu, frequency[pKeyArr[j] as number] as number);
    }
    return sum;
  };
  const pSize = (p: number): number => (pStartArr[p + 1] as number) - (pStartArr[p] as number);

  // Pass 2: pivots. pivotA is a predicate; pivotB another one (a pair pivot) or -1.
  const cStartArr = cStart.a;
  const cKArr = cK.a;
  const pivotA = new Int32Array(conjunctions);
  const pivotB = new Int32Array(conjunctions).fill(-1);
  const pivotC = new Int32Array(conjunctions).fill(-1);
  let maxPairs = 0;
  /** Σ P(u ∧ v ∧ w) over a triple's value combinations: independent, but the unit's attributes go together. */
  const tripleEstimate = (p: number, q: number, r: number): number => {
    let product = 1;
    let unit = Infinity;
    for (let i = 0; i < 3; i++) {
      const x = i === 0 ? p : i === 1 ? q : r;
      if (unitAttribute[pAttributeArr[x] as number]) unit = Math.min(unit, pEstimate[x] as number);
      else product *= pEstimate[x] as number;
    }
    return unit === Infinity ? product : product * unit;
  };
  for (let c = 0; c < conjunctions; c++) {
    if (cKArr[c] === 0) continue;
    const from = cStartArr[c] as number;
    const to = cStartArr[c + 1] as number;
    let best = -1;
    let bestEstimate = Infinity;
    for (let p = from; p < to; p++) {
      if (pInArr[p] === 1 && (pEstimate[p] as number) < bestEstimate) {
        best = p;
        bestEstimate = pEstimate[p] as number;
      }
    }
    pivotA[c] = best;
    if (!usePairs || (cKArr[c] as number) < 2) continue;
    let pairEstimateBest = bestEstimate * PAIR_GAIN;
    for (let p = from; p < to; p++) {
      if (pInArr[p] !== 1) continue;
      for (let q = p + 1; q < to; q++) {
        if (pInArr[q] !== 1 || pAttributeArr[q] === pAttributeArr[p] || pSize(p) * pSize(q) > MAX_PAIR_POSTINGS) continue;
        const e = pairEstimate(p, q);
        if (e < pairEstimateBest) {
          pairEstimateBest = e;
          pivotA[c] = p;
          pivotB[c] = q;
        }
      }
    }
    // A triple costs look-ups on every request that carries its prefix pair: only where the
    // conjunction would otherwise be read often.
    const current = pivotB[c] === -1 ? bestEstimate : pairEstimateBest;
    if (useTriples && (cKArr[c] as number) >= 3 && current > MIN_TRIPLE_ESTIMATE) {
      let tripleBest = current * TRIPLE_GAIN;
      for (let p = from; p < to; p++) {
        if (pInArr[p] !== 1) continue;
        for (let q = p + 1; q < to; q++) {
          if (pInArr[q] !== 1 || pAttributeArr[q] === pAttributeArr[p]) continue;
          for (let r = q + 1; r < to; r++) {
            if (pInArr[r] !== 1 || pAttributeArr[r] === pAttributeArr[p] || pAttributeArr[r] === pAttributeArr[q]) continue;
            if (pSize(p) * pSize(q) * pSize(r) > MAX_TRIPLE_POSTINGS) continue;
            const e = tripleEstimate(p, q, r);
            if (e < tripleBest) {
              tripleBest = e;
              pivotA[c] = p;
              pivotB[c] = q;
              pivotC[c] = r;
            }
          }
        }
      }
    }
    // A triple interns its prefix pair and itself.
    if (pivotB[c] !== -1) maxPairs += pSize(pivotA[c] as number) * pSize(pivotB[c] as number) * (pivotC[c] === -1 ? 1 : 2 * pSize(pivotC[c] as number));
  }
  /** Calls `post(segment)` for each pivot key of conjunction c (a key, a pair or a triple). */
  const pivotSegments = (c: number, intern: boolean, post: (segment: number) => void): void => {
    const a = pivotA[c] as number;
    const b = pivotB[c] as number;
    const t = pivotC[c] as number;
    for (let i = pStartArr[a] as number, ie = pStartArr[a + 1] as number; i < ie; i++) {
      const u = pKeyArr[i] as number;
      if (b === -1) {
        post(u);
        continue;
      }
      for (let j = pStartArr[b] as number, je = pStartArr[b + 1] as number; j < je; j++) {
        const v = pKeyArr[j] as number;
        if (t === -1) {
          const lo = u < v ? u : v;
          const hi = u < v ? v : u;
          post(keys + (intern ? pairs.intern(lo, hi) : pairs.get(lo, hi)));
          continue;
        }
        for (let l = pStartArr[t] as number, le = pStartArr[t + 1] as number; l < le; l++) {
          // Sorted: the two smallest keys are the prefix pair (a pair-table entry), the largest the third.
          const w = pKeyArr[l] as number;
          const x = Math.min(u, v, w);
          const z = Math.max(u, v, w);
          const y = u + v + w - x - z;
          const prefix = intern ? pairs.intern(x, y) : pairs.get(x, y);
          if (!intern) hasTriple[prefix] = 1;
          post(keys + (intern ? pairs.intern(-1 - prefix, z) : pairs.get(-1 - prefix, z)));
        }
      }
    }
  };

  // Pass 3: segment sizes. Segment = key (0 … keys-1) or keys + pair id. Z lists apart.
  const pairs = new PairTable(maxPairs);
  const segmentWords = new IntList(keys + 16);
  segmentWords.n = keys;
  const zWords = new Int32Array(keys + 1);
  /** Program words of conjunction c (its predicates but the pivots, each head + keys). */
  const programWords = (c: number): number => {
    let words = 0;
    for (let p = cStartArr[c] as number, to = cStartArr[c + 1] as number; p < to; p++) {
      if (p !== pivotA[c] && p !== pivotB[c] && p !== pivotC[c]) words += 1 + pSize(p);
    }
    return words;
  };
  let records = 0;
  let zEnd = 0;
  /** Adds a record of countWords words to segment s. */
  let countWords = 0;
  const count = (s: number): void => {
    while (segmentWords.n <= s) segmentWords.push(0);
    segmentWords.a[s] = (segmentWords.a[s] as number) + countWords;
    records++;
  };
  const partitionSizes: number[] = [0];
  for (let c = 0; c < conjunctions; c++) {
    const k = cKArr[c] as number;
    while (partitionSizes.length <= k) partitionSizes.push(0);
    partitionSizes[k] = (partitionSizes[k] as number) + 1;
    if (k === 0) {
      zEnd++;
      for (let p = cStartArr[c] as number, to = cStartArr[c + 1] as number; p < to; p++) {
        for (let i = pStartArr[p] as number, end = pStartArr[p + 1] as number; i < end; i++) {
          const s = (pKeyArr[i] as number) + 1;
          zWords[s] = (zWords[s] as number) + 1;
        }
      }
      continue;
    }
    countWords = 2 + programWords(c);
    pivotSegments(c, true, count);
  }
  // Prefix pairs of triples are interned after some triples: every pair-table id is a segment.
  while (segmentWords.n < keys + pairs.size) segmentWords.push(0);
  const segments = segmentWords.n;
  /** Per pair-table id: is it the prefix of some triple? (Set in pass 4.) */
  const hasTriple = new Uint8Array(pairs.size);
  const offsets = new Int32Array(segments + 1);
  let total = 0;
  for (let s = 0; s < segments; s++) {
    offsets[s] = total;
    total += segmentWords.a[s] as number;
    if (total > MAX_WORDS) throw new RangeError('Index too large');
  }
  offsets[segments] = total;
  for (let key = 0; key < keys; key++) zWords[key + 1] = (zWords[key + 1] as number) + (zWords[key] as number);
  const zOffsets = zWords;

  // Pass 4: records. Z conjunction ids are dense in [0, zEnd), in build order.
  const lists = new Int32Array(total);
  const zLists = new Int32Array(zOffsets[keys] as number);
  const zCampaign = new Int32Array(zEnd);
  const fill = offsets.slice(0, segments);
  const zFill = zOffsets.slice(0, keys);
  const order = new Int32Array(64);
  const failure = new Float64Array(64);
  let zId = 0;
  /** Writes conjunction writeCampaign's record (program: order[0, writeN)) into segment s. */
  let writeCampaign = 0;
  let writeN = 0;
  const write = (s: number): void => {
    let at = fill[s] as number;
    const head = at;
    lists[at++] = writeCampaign;
    at++;
    for (let o = 0; o < writeN; o++) {
      const p = order[o] as number;
      const ks = pStartArr[p] as number;
      const ke = pStartArr[p + 1] as number;
      lists[at++] = (ke - ks) * 2 + (pInArr[p] as number);
      for (let i = ks; i < ke; i++) lists[at++] = pKeyArr[i] as number;
    }
    lists[head + 1] = at - head - 2;
    fill[s] = at;
  };
  for (let c = 0; c < conjunctions; c++) {
    const from = cStartArr[c] as number;
    const to = cStartArr[c + 1] as number;
    if (cKArr[c] === 0) {
      zCampaign[zId] = cCampaign.a[c] as number;
      for (let p = from; p < to; p++) {
        for (let i = pStartArr[p] as number, end = pStartArr[p + 1] as number; i < end; i++) {
          const key = pKeyArr[i] as number;
          zLists[zFill[key] as number] = zId;
          zFill[key] = (zFill[key] as number) + 1;
        }
      }
      zId++;
      continue;
    }
    // The program: other predicates, most likely to fail first (insertion sort; few of them).
    const a = pivotA[c] as number;
    const b = pivotB[c] as number;
    const t = pivotC[c] as number;
    let n = 0;
    for (let p = from; p < to; p++) {
      if (p === a || p === b || p === t) continue;
      const e = Math.min(1, pEstimate[p] as number);
      const f = pInArr[p] === 1 ? 1 - e : e;
      let i = n++;
      if (n > order.length) throw new RangeError('A conjunction has more than 64 predicates');
      for (; i > 0 && (failure[i - 1] as number) < f; i--) {
        order[i] = order[i - 1] as number;
        failure[i] = failure[i - 1] as number;
      }
      order[i] = p;
      failure[i] = f;
    }
    writeCampaign = cCampaign.a[c] as number;
    writeN = n;
    pivotSegments(c, false, write);
  }
  // Per key: does it appear in any pair key? Lets a request skip most pair look-ups.
  const inPair = new Uint8Array(keys);
  /** Per key: is it the third key of some triple? */
  const inTriple = new Uint8Array(keys);
  let pairKeys = 0;
  let tripleKeys = 0;
  for (let h = 0; h <= pairs.mask; h++) {
    if ((pairs.id[h] as number) < 0) continue;
    if ((pairs.lo[h] as number) < 0) {
      inTriple[pairs.hi[h] as number] = 1;
      tripleKeys++;
      continue;
    }
    inPair[pairs.lo[h] as number] = 1;
    inPair[pairs.hi[h] as number] = 1;
    pairKeys++;
  }

  const stats: IndexStats = {
    campaigns: campaignIds.length,
    conjunctions,
    postings: records + zEnd,
    keys,
    pairKeys,
    tripleKeys,
    partitionSizes,
    unindexed: 0,
  };

  // Per-request scratch, reused: nothing here is cleared between requests (see epochs).
  const zState = new Int32Array(zEnd);
  const campaignStamp = new Int32Array(campaignIds.length);
  const keyStamp = new Int32Array(keys);
  const out = new Int32Array(campaignIds.length);
  const contextKeys = new Int32Array(keys);
  /** The context keys that end some triple. */
  const contextThirds = new Int32Array(keys);
  let epoch = 0;

  const bytes =
    lists.byteLength +
    offsets.byteLength +
    zLists.byteLength +
    zOffsets.byteLength +
    zCampaign.byteLength +
    zState.byteLength +
    keyStamp.byteLength +
    contextKeys.byteLength +
    contextThirds.byteLength +
    inPair.byteLength +
    inTriple.byteLength +
    hasTriple.byteLength +
    (pairs.size > 0 ? pairs.byteLength : 0) +
    keys * KEY_OVERHEAD_BYTES +
    campaignIds.length * (campaignStamp.BYTES_PER_ELEMENT + out.BYTES_PER_ELEMENT + CAMPAIGN_OVERHEAD_BYTES);
  const pairTable = pairs.size > 0 ? pairs : null;

  /** Runs the records of [p, end) and appends the campaigns that hold to `out`; returns the count. */
  function scan(p: number, end: number, found: number): number {
    while (p < end) {
      const campaign = lists[p] as number;
      const stop = p + 2 + (lists[p + 1] as number);
      p += 2;
      let holds = true;
      while (p < stop) {
        const head = lists[p++] as number;
        const next = p + (head >>> 1);
        let any = 0;
        for (; p < next; p++) {
          if (keyStamp[lists[p] as number] === epoch) {
            any = 1;
            break;
          }
        }
        if (any !== (head & 1)) {
          holds = false;
          break;
        }
        p = next;
      }
      p = stop;
      if (holds && campaignStamp[campaign] !== epoch) {
        campaignStamp[campaign] = epoch;
        out[found++] = campaign;
      }
    }
    return found;
  }

  function matchOrdinals(ctx: TargetingContext): Int32Array {
    if (++epoch === MAX_EPOCH) {
      zState.fill(0);
      campaignStamp.fill(0);
      keyStamp.fill(0);
      epoch = 1;
    }
    let found = 0;

    // 1. The context's keys.
    let contextKeyCount = 0;
    let thirdCount = 0;
    for (let a = 0; a < ATTRIBUTES.length; a++) {
      const values = ctx[ATTRIBUTES[a] as Attribute];
      if (values === undefined) continue;
      const byValue = keyIds[a] as Map<string, number>;
      if (byValue.size === 0) continue;
      for (const value of values) {
        const key = byValue.get(value);
        if (key === undefined || keyStamp[key] === epoch) continue;
        keyStamp[key] = epoch;
        contextKeys[contextKeyCount++] = key;
        if (inTriple[key] === 1) contextThirds[thirdCount++] = key;
      }
    }

    // 2. Z: vetoed by any ∉ posting of a context key, else it holds.
    if (zEnd > 0) {
      for (let i = 0; i < contextKeyCount; i++) {
        const s = contextKeys[i] as number;
        for (let p = zOffsets[s] as number, end = zOffsets[s + 1] as number; p < end; p++) zState[zLists[p] as number] = epoch;
      }
      for (let id = 0; id < zEnd; id++) {
        if (zState[id] === epoch) continue;
        const campaign = zCampaign[id] as number;
        if (campaignStamp[campaign] !== epoch) {
          campaignStamp[campaign] = epoch;
          out[found++] = campaign;
        }
      }
    }

    // 3. Single-key pivots, then pair pivots: every record is a conjunction whose pivot holds.
    for (let i = 0; i < contextKeyCount; i++) {
      const s = contextKeys[i] as number;
      found = scan(offsets[s] as number, offsets[s + 1] as number, found);
    }
    if (pairTable !== null) {
      for (let i = 0; i < contextKeyCount; i++) {
        const u = contextKeys[i] as number;
        if (inPair[u] === 0) continue;
        for (let j = i + 1; j < contextKeyCount; j++) {
          const v = contextKeys[j] as number;
          if (inPair[v] === 0) continue;
          const id = u < v ? pairTable.get(u, v) : pairTable.get(v, u);
          if (id < 0) continue;
          const s = keys + id;
          found = scan(offsets[s] as number, offsets[s + 1] as number, found);
          if (hasTriple[id] === 0) continue;
          // Triples (x < y < z) with this pair as (x, y): z is a larger context key.
          const high = u < v ? v : u;
          for (let k = 0; k < thirdCount; k++) {
            const w = contextThirds[k] as number;
            if (w <= high) continue;
            const tid = pairTable.get(-1 - id, w);
            if (tid < 0) continue;
            const ts = keys + tid;
            found = scan(offsets[ts] as number, offsets[ts + 1] as number, found);
          }
        }
      }
    }

    return out.subarray(0, found);
  }

  function match(ctx: TargetingContext): string[] {
    return Array.from(matchOrdinals(ctx), (o) => campaignIds[o] as string);
  }

  function memoryBytes(): number {
    return bytes;
  }

  return { match, matchOrdinals, campaignIds, stats, memoryBytes };
}
