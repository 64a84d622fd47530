import type { Conjunctions } from './conjunctions.js';
import type { Pivots } from './pivots.js';
import { IntList, PairTable } from './tables.js';

/** Record and list offsets are Int32. */
const MAX_WORDS = 2 ** 31 - 1;
/** Programs are ordered in a fixed scratch of this many predicates. */
const MAX_PREDICATES = 64;

/**
 * Passes 3 and 4 of the build: the records in one Int32Array. Segment s — a key (0 … keys-1),
 * then keys + a pair-table id (a pair or a triple) — spans [offsets[s], offsets[s + 1]); each
 * record is (campaign, n, program of n words), the program the conjunction's other predicates,
 * each `(keys × 2 + isIn), keys…`, most likely to fail first. Conjunctions without `in`
 * predicates (the Z list, ids dense in [0, zEnd)) are posted under their ∉ keys in zLists.
 */
export interface Layout {
  lists: Int32Array;
  offsets: Int32Array;
  zLists: Int32Array;
  zOffsets: Int32Array;
  zCampaign: Int32Array;
  /** The pair and triple keys; null when none is posted. */
  pairs: PairTable | null;
  /** Per key: does it appear in a pair key? Lets a request skip most pair look-ups. */
  inPair: Uint8Array;
  /** Per key: is it the third key of some triple? */
  inTriple: Uint8Array;
  /** Per pair-table id: is it the prefix of some triple? */
  hasTriple: Uint8Array;
  /** Records over all segments, Z not included. */
  records: number;
  pairKeys: number;
  tripleKeys: number;
}

export function layOut(f: Conjunctions, v: Pivots): Layout {
  const { pKeys, pStart, pIn, cStart, cK, cCampaign, conjunctions, keys } = f;
  const { pivotA, pivotB, pivotC, pEstimate } = v;
  const pSize = (p: number): number => (pStart[p + 1] as number) - (pStart[p] as number);
  const pairs = new PairTable(v.maxPairs);
  let hasTriple = new Uint8Array(0);

  /** Calls `post(segment)` for each pivot key of conjunction c (a key, a pair or a triple). */
  const pivotSegments = (c: number, intern: boolean, post: (segment: number) => void): void => {
    const a = pivotA[c] as number;
    const b = pivotB[c] as number;
    const t = pivotC[c] as number;
    for (let i = pStart[a] as number, ie = pStart[a + 1] as number; i < ie; i++) {
      const u = pKeys[i] as number;
      if (b === -1) {
        post(u);
        continue;
      }
      for (let j = pStart[b] as number, je = pStart[b + 1] as number; j < je; j++) {
        const w2 = pKeys[j] as number;
        if (t === -1) {
          const lo = u < w2 ? u : w2;
          const hi = u < w2 ? w2 : u;
          post(keys + (intern ? pairs.intern(lo, hi) : pairs.get(lo, hi)));
          continue;
        }
        for (let l = pStart[t] as number, le = pStart[t + 1] as number; l < le; l++) {
          // Sorted: the two smallest keys are the prefix pair (a pair-table entry), the largest the third.
          const w = pKeys[l] as number;
          const x = Math.min(u, w2, w);
          const z = Math.max(u, w2, w);
          const y = u + w2 + w - x - z;
          const prefix = intern ? pairs.intern(x, y) : pairs.get(x, y);
          if (!intern) hasTriple[prefix] = 1;
          post(keys + (intern ? pairs.intern(-1 - prefix, z) : pairs.get(-1 - prefix, z)));
        }
      }
    }
  };

  // Pass 3: segment sizes. Z lists apart.
  const segmentWords = new IntList(keys + 16);
  segmentWords.n = keys;
  const zOffsets = new Int32Array(keys + 1);
  let records = 0;
  let zEnd = 0;
  let countWords = 0;
  const count = (s: number): void => {
    while (segmentWords.n <= s) segmentWords.push(0);
    segmentWords.a[s] = (segmentWords.a[s] as number) + countWords;
    records++;
  };
  for (let c = 0; c < conjunctions; c++) {
    if (cK[c] === 0) {
      zEnd++;
      for (let i = pStart[cStart[c] as number] as number, end = pStart[cStart[c + 1] as number] as number; i < end; i++) {
        const s = (pKeys[i] as number) + 1;
        zOffsets[s] = (zOffsets[s] as number) + 1;
      }
      continue;
    }
    // Record words: campaign, n, then each predicate but the pivots (head + keys).
    countWords = 2;
    for (let p = cStart[c] as number, to = cStart[c + 1] as number; p < to; p++) {
      if (p !== pivotA[c] && p !== pivotB[c] && p !== pivotC[c]) countWords += 1 + pSize(p);
    }
    pivotSegments(c, true, count);
  }
  // Prefix pairs of triples are interned after some triples: every pair-table id is a segment.
  while (segmentWords.n < keys + pairs.size) segmentWords.push(0);
  const segments = segmentWords.n;
  hasTriple = new Uint8Array(pairs.size);
  const offsets = new Int32Array(segments + 1);
  let total = 0;
  for (let s = 0; s < segments; s++) {
    offsets[s] = total;
    total += segmentWords.a[s] as number;
    if (total > MAX_WORDS) throw new RangeError('Index too large');
  }
  offsets[segments] = total;
  for (let key = 0; key < keys; key++) zOffsets[key + 1] = (zOffsets[key + 1] as number) + (zOffsets[key] as number);

  // Pass 4: records.
  const lists = new Int32Array(total);
  const zLists = new Int32Array(zOffsets[keys] as number);
  const zCampaign = new Int32Array(zEnd);
  const fill = offsets.slice(0, segments);
  const zFill = zOffsets.slice(0, keys);
  const order = new Int32Array(MAX_PREDICATES);
  const failure = new Float64Array(MAX_PREDICATES);
  let zId = 0;
  let writeCampaign = 0;
  let writeN = 0;
  /** Writes the record of campaign writeCampaign (program: order[0, writeN)) into segment s. */
  const write = (s: number): void => {
    let at = fill[s] as number;
    const head = at;
    lists[at++] = writeCampaign;
    at++;
    for (let o = 0; o < writeN; o++) {
      const p = order[o] as number;
      const ks = pStart[p] as number;
      const ke = pStart[p + 1] as number;
      lists[at++] = (ke - ks) * 2 + (pIn[p] as number);
      for (let i = ks; i < ke; i++) lists[at++] = pKeys[i] as number;
    }
    lists[head + 1] = at - head - 2;
    fill[s] = at;
  };
  for (let c = 0; c < conjunctions; c++) {
    const from = cStart[c] as number;
    const to = cStart[c + 1] as number;
    if (cK[c] === 0) {
      zCampaign[zId] = cCampaign[c] as number;
      for (let i = pStart[from] as number, end = pStart[to] as number; i < end; i++) {
        const key = pKeys[i] as number;
        zLists[zFill[key] as number] = zId;
        zFill[key] = (zFill[key] as number) + 1;
      }
      zId++;
      continue;
    }
    // The program: other predicates, most likely to fail first (insertion sort; few of them).
    let n = 0;
    for (let p = from; p < to; p++) {
      if (p === pivotA[c] || p === pivotB[c] || p === pivotC[c]) continue;
      const e = Math.min(1, pEstimate[p] as number);
      const fails = pIn[p] === 1 ? 1 - e : e;
      let i = n++;
      if (n > MAX_PREDICATES) throw new RangeError(`A conjunction has more than ${MAX_PREDICATES} predicates`);
      for (; i > 0 && (failure[i - 1] as number) < fails; i--) {
        order[i] = order[i - 1] as number;
        failure[i] = failure[i - 1] as number;
      }
      order[i] = p;
      failure[i] = fails;
    }
    writeCampaign = cCampaign[c] as number;
    writeN = n;
    pivotSegments(c, false, write);
  }

  const inPair = new Uint8Array(keys);
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
  return {
    lists,
    offsets,
    zLists,
    zOffsets,
    zCampaign,
    pairs: pairs.size > 0 ? pairs : null,
    inPair,
    inTriple,
    hasTriple,
    records,
    pairKeys,
    tripleKeys,
  };
}
