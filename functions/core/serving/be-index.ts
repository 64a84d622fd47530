import { ATTRIBUTES, evaluateConjunction } from './targeting.js';
import type { Attribute, Conjunction, Targeting, TargetingContext } from './targeting.js';

/**
 * Boolean-expression inverted index for DNF targeting, after Whang et al., "Indexing Boolean
 * Expressions", PVLDB 2009 (the DNF variant of §3–4).
 *
 * Build:
 * - Each conjunction goes to partition K, where K is the least number of distinct context keys
 *   that can satisfy it: the number of distinct attributes among its `in` predicates. With one
 *   `in` per attribute (the normal case) this is the paper's K, the number of ∈ predicates.
 * - Every (attribute, value) key gets, per partition, a posting list of entries
 *   (conjunction id, ∈ slot | ∉) sorted by conjunction id. K = 0 conjunctions (only ∉
 *   predicates, or none) also sit in the Z list with an ∈ entry, so that they are visited.
 * - The index is immutable: a change to any campaign means building the whole index again.
 *   Building is linear in the number of postings (about a second for a million campaigns), so
 *   the serve path swaps in a fresh index rather than patching one in place.
 *
 * Match, per partition K from the largest down (the conjunction algorithm):
 * - Take the posting lists of the context's keys (plus Z when K = 0, counting K as 1); skip the
 *   partition when fewer than K lists exist.
 * - Keep the lists ordered by their current entry. If the first and the K-th current entries
 *   name the same conjunction, it is a candidate: read every entry every list has for it, reject
 *   it on any ∉ entry, accept it when all its `in` predicates are covered, then move those lists
 *   past it. Otherwise no conjunction before the K-th current one can be in K lists, so the first
 *   K−1 lists jump there (galloping search) without reading what they skip.
 *
 * Where this departs from the paper, and why: the paper counts K lists agreeing on a
 * conjunction. With multi-valued contexts (interest ∈ {a, b} while the viewer likes both a and
 * b) or two `in` predicates on one attribute, K agreeing lists can still leave a predicate
 * unsatisfied. So each ∈ entry carries the index of its predicate (its slot) and a candidate is
 * accepted only when every slot is covered; K remains a sound lower bound for the skipping.
 */

/** The shape of one campaign for the index. The same id given twice ORs the targetings. */
export interface IndexEntry {
  id: string;
  targeting: Targeting;
}

export interface IndexStats {
  campaigns: number;
  conjunctions: number;
  /** Entries over all posting lists, Z included. */
  postings: number;
  /** Distinct (attribute, value) keys. */
  keys: number;
  /** Conjunctions per partition K (index = K). */
  partitionSizes: number[];
  /** Conjunctions with more `in` predicates than an entry can name; evaluated directly. */
  unindexed: number;
}

export interface TargetingIndex {
  /** Ids of the campaigns whose targeting matches, each once, in no particular order. */
  match(ctx: TargetingContext): string[];
  readonly stats: IndexStats;
  /** Approximate bytes held by the index's arrays (postings, partitions, key tables). */
  memoryBytes(): number;
}

/*
 * Entry encoding in an Int32Array: conjunctionId × 64 + (∈ ? 32 + slot : 0). Sorting entries as
 * integers sorts them by conjunction id, and `entry >> 6` recovers the id. These widths are the
 * encoding, not tunables: 5 bits of slot, and ids below 2^25 per partition.
 */
const ID_SHIFT = 6;
const IN_FLAG = 32;
const SLOT_MASK = 31;
const MAX_IN_SLOTS = 32;
const MAX_CONJUNCTIONS_PER_PARTITION = 2 ** 25 - 1;
/** Past every real entry: a list that has run out. */
const EXHAUSTED = 0x7fffffff;
/** Rough per-key cost of the key tables (Map entry, string, per-partition slot array). */
const KEY_OVERHEAD_BYTES = 96;

interface Partition {
  /** Local conjunction id → campaign index. */
  campaign: Int32Array;
  /** Local conjunction id → bit mask of the `in` slots that must be covered. */
  required: Int32Array;
}

interface Unindexed {
  campaign: number;
  conjunction: Conjunction;
}

export function buildIndex(entries: readonly IndexEntry[]): TargetingIndex {
  const campaignIds: string[] = [];
  const campaignIndex = new Map<string, number>();
  const keyIds = new Map<Attribute, Map<string, number>>();
  /** keyId → partition K → entries, filled in increasing conjunction id so already sorted. */
  const building: number[][][] = [];
  const partCampaign: number[][] = [];
  const partRequired: number[][] = [];
  const unindexed: Unindexed[] = [];
  const everything: Conjunction[] = [[]];

  const keyId = (attribute: Attribute, value: string): number => {
    let byValue = keyIds.get(attribute);
    if (byValue === undefined) keyIds.set(attribute, (byValue = new Map()));
    let id = byValue.get(value);
    if (id === undefined) {
      id = building.length;
      byValue.set(value, id);
      building.push([]);
    }
    return id;
  };

  for (const entry of entries) {
    let ci = campaignIndex.get(entry.id);
    if (ci === undefined) {
      ci = campaignIds.length;
      campaignIndex.set(entry.id, ci);
      campaignIds.push(entry.id);
    }
    const conjunctions = entry.targeting.length === 0 ? everything : entry.targeting;
    for (const conjunction of conjunctions) addConjunction(ci, conjunction);
  }

  function addConjunction(ci: number, conjunction: Conjunction): void {
    let slots = 0;
    const inAttributes = new Set<Attribute>();
    for (const p of conjunction) {
      if (p.op !== 'in') continue;
      // An `in` without values never holds, so neither does its conjunction: nothing to index.
      if (p.values.length === 0) return;
      slots++;
      inAttributes.add(p.attribute);
    }
    if (slots > MAX_IN_SLOTS) {
      unindexed.push({ campaign: ci, conjunction });
      return;
    }
    const k = inAttributes.size;
    while (partCampaign.length <= k) {
      partCampaign.push([]);
      partRequired.push([]);
    }
    const campaigns = partCampaign[k] as number[];
    const local = campaigns.length;
    if (local >= MAX_CONJUNCTIONS_PER_PARTITION) throw new RangeError(`More than ${MAX_CONJUNCTIONS_PER_PARTITION} conjunctions of size ${k}`);
    campaigns.push(ci);
    (partRequired[k] as number[]).push(slots === MAX_IN_SLOTS ? -1 : (1 << slots) - 1);

    let slot = 0;
    for (const p of conjunction) {
      const code = p.op === 'in' ? (local << ID_SHIFT) + IN_FLAG + slot++ : local << ID_SHIFT;
      // Repeated values would only repeat an entry.
      const values = p.values.length > 1 ? new Set(p.values) : p.values;
      for (const value of values) {
        const perPartition = building[keyId(p.attribute, value)] as number[][];
        while (perPartition.length <= k) perPartition.push([]);
        (perPartition[k] as number[]).push(code);
      }
    }
  }

  let postings = 0;
  let bytes = 0;
  const lists: (Int32Array | undefined)[][] = building.map((perPartition) =>
    perPartition.map((codes) => {
      if (codes.length === 0) return undefined;
      postings += codes.length;
      bytes += codes.length * Int32Array.BYTES_PER_ELEMENT;
      return Int32Array.from(codes);
    }),
  );
  const partitions: Partition[] = partCampaign.map((campaigns, k) => ({
    campaign: Int32Array.from(campaigns),
    required: Int32Array.from(partRequired[k] as number[]),
  }));
  const zeroSize = partitions[0]?.campaign.length ?? 0;
  const z = new Int32Array(zeroSize);
  for (let i = 0; i < zeroSize; i++) z[i] = (i << ID_SHIFT) + IN_FLAG;
  postings += zeroSize;
  bytes += z.byteLength + building.length * KEY_OVERHEAD_BYTES;
  for (const p of partitions) bytes += p.campaign.byteLength + p.required.byteLength;

  const stats: IndexStats = {
    campaigns: campaignIds.length,
    conjunctions: partitions.reduce((n, p) => n + p.campaign.length, 0) + unindexed.length,
    postings,
    keys: building.length,
    partitionSizes: partitions.map((p) => p.campaign.length),
    unindexed: unindexed.length,
  };

  // Scratch for deduplicating campaigns: a stamp per campaign instead of a Set per call.
  const seen = new Uint32Array(campaignIds.length);
  let epoch = 0;

  function match(ctx: TargetingContext): string[] {
    epoch++;
    if (epoch === 0xffffffff) {
      seen.fill(0);
      epoch = 1;
    }
    const out: string[] = [];
    const emit = (ci: number): void => {
      if (seen[ci] !== epoch) {
        seen[ci] = epoch;
        out.push(campaignIds[ci] as string);
      }
    };

    const keys: number[] = [];
    for (const attribute of ATTRIBUTES) {
      const values = ctx[attribute];
      if (values === undefined) continue;
      const byValue = keyIds.get(attribute);
      if (byValue === undefined) continue;
      for (const value of values) {
        const id = byValue.get(value);
        if (id !== undefined && !keys.includes(id)) keys.push(id);
      }
    }

    const chosen: Int32Array[] = [];
    for (let k = partitions.length - 1; k >= 0; k--) {
      const partition = partitions[k] as Partition;
      if (partition.campaign.length === 0) continue;
      chosen.length = 0;
      for (const id of keys) {
        const list = (lists[id] as (Int32Array | undefined)[])[k];
        if (list !== undefined) chosen.push(list);
      }
      if (k === 0) chosen.push(z);
      const need = k === 0 ? 1 : k;
      if (chosen.length < need) continue;
      conjunctionAlgorithm(chosen, need, partition, emit);
    }

    for (const u of unindexed) if (evaluateConjunction(u.conjunction, ctx)) emit(u.campaign);
    return out;
  }

  function memoryBytes(): number {
    return bytes + campaignIds.length * (Uint32Array.BYTES_PER_ELEMENT + KEY_OVERHEAD_BYTES);
  }

  return { match, stats, memoryBytes };
}

/** Reports every conjunction of the partition that the given posting lists satisfy. */
function conjunctionAlgorithm(lists: readonly Int32Array[], k: number, partition: Partition, emit: (campaign: number) => void): void {
  const n = lists.length;
  const pos = new Int32Array(n);
  const cur = new Int32Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    cur[i] = (lists[i] as Int32Array)[0] ?? EXHAUSTED;
    order[i] = i;
  }
  sortByCurrent(order, cur);
  const { campaign, required } = partition;

  for (;;) {
    const kth = cur[order[k - 1] as number] as number;
    if (kth === EXHAUSTED) return;
    const id = kth >> ID_SHIFT;
    if ((cur[order[0] as number] as number) >> ID_SHIFT === id) {
      // Candidate: the first k lists agree. Read all entries for it in every list that has it.
      let covered = 0;
      let rejected = false;
      let moved = 0;
      for (let j = 0; j < n; j++) {
        const li = order[j] as number;
        if ((cur[li] as number) >> ID_SHIFT !== id) break;
        const list = lists[li] as Int32Array;
        let p = pos[li] as number;
        let e = list[p] as number;
        do {
          if (e & IN_FLAG) covered |= 1 << (e & SLOT_MASK);
          else rejected = true;
          p++;
          e = p < list.length ? (list[p] as number) : EXHAUSTED;
        } while (e >> ID_SHIFT === id);
        pos[li] = p;
        cur[li] = e;
        moved++;
      }
      const need = required[id] as number;
      if (!rejected && (covered & need) === need) emit(campaign[id] as number);
      reinsert(order, cur, moved);
    } else {
      // Nothing before the k-th current conjunction can be in k lists: jump the first k−1 there.
      const target = id << ID_SHIFT;
      for (let j = 0; j < k - 1; j++) skipTo(lists[order[j] as number] as Int32Array, order[j] as number, target, pos, cur);
      reinsert(order, cur, k - 1);
    }
  }
}

/** Moves list li to its first entry ≥ target by galloping then binary search. */
function skipTo(list: Int32Array, li: number, target: number, pos: Int32Array, cur: Int32Array): void {
  let lo = pos[li] as number;
  if ((list[lo] as number) >= target) return;
  // Invariant: list[lo] < target; find hi with list[hi] ≥ target (or the end).
  let step = 1;
  let hi = lo + step;
  while (hi < list.length && (list[hi] as number) < target) {
    lo = hi;
    step <<= 1;
    hi = lo + step;
  }
  if (hi > list.length) hi = list.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < target) lo = mid;
    else hi = mid;
  }
  pos[li] = hi;
  cur[li] = hi < list.length ? (list[hi] as number) : EXHAUSTED;
}

/**
 * Restores the order after the first `moved` lists advanced: the rest is still sorted, so each
 * moved list is slid into it from the back (the lists advanced, so they only move right).
 */
function reinsert(order: Int32Array, cur: Int32Array, moved: number): void {
  const n = order.length;
  for (let i = moved - 1; i >= 0; i--) {
    const x = order[i] as number;
    const v = cur[x] as number;
    let j = i + 1;
    while (j < n && (cur[order[j] as number] as number) < v) {
      order[j - 1] = order[j] as number;
      j++;
    }
    order[j - 1] = x;
  }
}

/** Insertion sort, for the initial order. */
function sortByCurrent(order: Int32Array, cur: Int32Array): void {
  for (let i = 1; i < order.length; i++) {
    const x = order[i] as number;
    const v = cur[x] as number;
    let j = i - 1;
    while (j >= 0 && (cur[order[j] as number] as number) > v) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = x;
  }
}
