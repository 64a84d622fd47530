import { ATTRIBUTES, evaluateConjunction } from './targeting.js';
import type { Attribute, Conjunction, Targeting, TargetingContext } from './targeting.js';

/**
 * Boolean-expression inverted index for DNF targeting: the index layout of Whang et al.,
 * "Indexing Boolean Expressions", PVLDB 2009 (DNF variant, §3–4), evaluated by counting.
 *
 * Build (once; the index is immutable):
 * - Each conjunction goes to partition K, the least number of distinct context attributes that
 *   can satisfy it: the number of distinct attributes among its `in` predicates (with one `in`
 *   per attribute, the paper's K). Its `in` predicates are numbered 0…n−1 (slots) and it must
 *   cover the bit mask of all its slots.
 * - Every (attribute, value) key has, per partition, a posting list of the conjunctions that
 *   name it: first the ∉ postings (conjunction id), then the ∈ postings (id × 32 + slot). All
 *   lists live in one Int32Array, addressed by an offsets table (key, K) → [∉ start, ∈ start).
 * - K = 0 conjunctions (only ∉ predicates, or none) are in the Z list: they hold unless vetoed.
 * - A change to any campaign means building the whole index again: building is linear in the
 *   number of postings, so the serve path swaps in a fresh index rather than patching one.
 *
 * Match (one request):
 * 1. Look up the context's keys. Partition K can only hold a match when at least K distinct
 *    context attributes have ∈ postings in it; other partitions are not read at all.
 * 2. Veto: every ∉ posting of a context key marks its conjunction as failed.
 * 3. Count: every ∈ posting ORs its slot bit into its conjunction's covered mask; when the mask
 *    equals the required one (and no veto), the conjunction holds and its campaign is emitted.
 * 4. Z: every K = 0 conjunction not vetoed holds.
 * Per-conjunction state is an Int32Array of (stamp, mask) pairs: a stamp other than this
 * request's epoch means "untouched", so nothing is cleared between requests. A veto sets the
 * mask's sign bit, which no required mask has (at most 31 slots), so a vetoed mask never equals
 * the required one. Campaigns are deduplicated the same way, with a stamp per campaign.
 *
 * Relation to the paper: Whang et al.'s Conjunction algorithm walks the K lists of a partition
 * in step, skipping (by binary search) past conjunctions that cannot be in K lists; it reads
 * fewer postings when lists are long and disjoint. The paper also describes the simpler counting
 * evaluation over the same index, which reads every posting of the context's keys. In JS the
 * counting form wins by a wide margin on realistic workloads: its inner loop is a sequential
 * scan of one Int32Array plus an update of a typed state array, with no allocation, no list
 * re-ordering after every step and no unpredictable branches, whereas the Conjunction algorithm
 * spends ~80 ns per step on bookkeeping. The paper's K counting also miscounts when a context
 * carries several values of one attribute (interest ∈ {a, b} while the viewer likes both) or a
 * conjunction has two `in` predicates on one attribute: the slot masks here are exact, and K
 * stays a sound lower bound for skipping partitions.
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
  /** Conjunctions with more `in` predicates than a mask can hold; evaluated directly. */
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
 * ∈ posting encoding: conjunctionId × 32 + slot, so `>>> SLOT_BITS` recovers the id. A mask has
 * 31 usable bits (the sign bit marks a veto), hence at most 31 `in` predicates per indexed
 * conjunction and ids below 2^26. These widths are the encoding, not tunables.
 */
const SLOT_BITS = 5;
const SLOT_MASK = 31;
const MAX_IN_SLOTS = 31;
const MAX_CONJUNCTIONS = 2 ** 26;
const VETO = -0x80000000;
/** Stamps wrap before the Int32 epoch would overflow; then all state is cleared once. */
const MAX_EPOCH = 0x7fffffff;
/** Rough per-key cost of the key tables (Map entry, string). */
const KEY_OVERHEAD_BYTES = 64;
/** Rough per-campaign cost of the id table (array slot, string). */
const CAMPAIGN_OVERHEAD_BYTES = 64;

interface Unindexed {
  campaign: number;
  conjunction: Conjunction;
}

interface PendingConjunction {
  campaign: number;
  k: number;
  required: number;
  /** Pairs (keyId, code) where code is −1 for ∉ and the slot for ∈. */
  postings: number[];
}

export function buildIndex(entries: readonly IndexEntry[]): TargetingIndex {
  const campaignIds: string[] = [];
  const campaignIndex = new Map<string, number>();
  /** Attribute ordinal → value → key id. */
  const keyIds: Map<string, number>[] = ATTRIBUTES.map(() => new Map());
  const keyAttribute: number[] = [];
  const pending: PendingConjunction[] = [];
  const unindexed: Unindexed[] = [];
  const everything: Conjunction[] = [[]];
  const attributeOrdinal = new Map<Attribute, number>(ATTRIBUTES.map((a, i) => [a, i]));
  let partitionCount = 1;

  const keyId = (attribute: number, value: string): number => {
    const byValue = keyIds[attribute] as Map<string, number>;
    let id = byValue.get(value);
    if (id === undefined) {
      id = keyAttribute.length;
      byValue.set(value, id);
      keyAttribute.push(attribute);
    }
    return id;
  };

  const addConjunction = (ci: number, conjunction: Conjunction): void => {
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
    if (k + 1 > partitionCount) partitionCount = k + 1;
    const postings: number[] = [];
    let slot = 0;
    for (const p of conjunction) {
      const code = p.op === 'in' ? slot++ : -1;
      const attribute = attributeOrdinal.get(p.attribute) as number;
      // Repeated values would only repeat a posting.
      for (const value of p.values.length > 1 ? new Set(p.values) : p.values) postings.push(keyId(attribute, value), code);
    }
    pending.push({ campaign: ci, k, required: slots === 0 ? 0 : 2 ** slots - 1, postings });
  };

  for (const entry of entries) {
    let ci = campaignIndex.get(entry.id);
    if (ci === undefined) {
      ci = campaignIds.length;
      campaignIndex.set(entry.id, ci);
      campaignIds.push(entry.id);
    }
    for (const conjunction of entry.targeting.length === 0 ? everything : entry.targeting) addConjunction(ci, conjunction);
  }
  if (pending.length > MAX_CONJUNCTIONS) throw new RangeError(`More than ${MAX_CONJUNCTIONS} conjunctions`);

  // Conjunction ids follow partitions, so each partition's state is one contiguous range.
  const conjunctions = pending.length;
  const partitionSizes = new Array<number>(partitionCount).fill(0);
  for (const c of pending) partitionSizes[c.k] = (partitionSizes[c.k] as number) + 1;
  const partitionStart = new Int32Array(partitionCount + 1);
  for (let k = 0; k < partitionCount; k++) partitionStart[k + 1] = (partitionStart[k] as number) + (partitionSizes[k] as number);
  const conjunctionCampaign = new Int32Array(conjunctions);
  const required = new Int32Array(conjunctions);
  const nextId = partitionStart.slice(0, partitionCount);
  const ids = new Int32Array(conjunctions);
  pending.forEach((c, i) => {
    const id = nextId[c.k] as number;
    nextId[c.k] = id + 1;
    ids[i] = id;
    conjunctionCampaign[id] = c.campaign;
    required[id] = c.required;
  });

  // Offsets: segment (key, K, ∉|∈) s = (key × P + K) × 2 + (∈ ? 1 : 0) spans [offsets[s], offsets[s + 1]).
  const keys = keyAttribute.length;
  const segments = keys * partitionCount * 2;
  const offsets = new Int32Array(segments + 1);
  const segmentOf = (key: number, k: number, code: number): number => (key * partitionCount + k) * 2 + (code >= 0 ? 1 : 0);
  for (const c of pending) for (let j = 0; j < c.postings.length; j += 2) {
      const s = segmentOf(c.postings[j] as number, c.k, c.postings[j + 1] as number) + 1;
      offsets[s] = (offsets[s] as number) + 1;
    }
  for (let s = 0; s < segments; s++) offsets[s + 1] = (offsets[s + 1] as number) + (offsets[s] as number);
  const postings = new Int32Array(offsets[segments] as number);
  const fill = offsets.slice(0, segments);
  // Visiting conjunctions in id order keeps every list sorted by id: scans touch state in order.
  const byId = new Int32Array(conjunctions);
  for (let i = 0; i < conjunctions; i++) byId[ids[i] as number] = i;
  for (let id = 0; id < conjunctions; id++) {
    const c = pending[byId[id] as number] as PendingConjunction;
    for (let j = 0; j < c.postings.length; j += 2) {
      const code = c.postings[j + 1] as number;
      const s = segmentOf(c.postings[j] as number, c.k, code);
      const at = fill[s] as number;
      fill[s] = at + 1;
      postings[at] = code >= 0 ? (id << SLOT_BITS) | code : id;
    }
  }
  const zEnd = partitionStart[1] ?? 0;
  const keyAttributeArray = Uint8Array.from(keyAttribute);

  const stats: IndexStats = {
    campaigns: campaignIds.length,
    conjunctions: conjunctions + unindexed.length,
    postings: postings.length + zEnd,
    keys,
    partitionSizes,
    unindexed: unindexed.length,
  };
  const bytes =
    postings.byteLength +
    offsets.byteLength +
    keyAttributeArray.byteLength +
    partitionStart.byteLength +
    conjunctionCampaign.byteLength +
    required.byteLength +
    keys * KEY_OVERHEAD_BYTES +
    // Scratch below: conjunction state pairs, campaign stamps and the output buffer.
    conjunctions * 2 * Int32Array.BYTES_PER_ELEMENT +
    campaignIds.length * (2 * Int32Array.BYTES_PER_ELEMENT + CAMPAIGN_OVERHEAD_BYTES);

  // Per-request scratch, reused: nothing here is cleared between requests (see epochs).
  const state = new Int32Array(conjunctions * 2);
  const campaignStamp = new Int32Array(campaignIds.length);
  const keyStamp = new Int32Array(keys);
  const out = new Int32Array(campaignIds.length);
  const contextKeys: number[] = [];
  const attributesPerPartition = new Int32Array(partitionCount);
  const attributeSeen = new Int32Array(ATTRIBUTES.length * partitionCount);
  let epoch = 0;

  function match(ctx: TargetingContext): string[] {
    if (++epoch === MAX_EPOCH) {
      state.fill(0);
      campaignStamp.fill(0);
      keyStamp.fill(0);
      attributeSeen.fill(0);
      epoch = 1;
    }
    let found = 0;

    // 1. The context's keys, and per partition how many distinct attributes can feed it.
    contextKeys.length = 0;
    attributesPerPartition.fill(0);
    for (let a = 0; a < ATTRIBUTES.length; a++) {
      const values = ctx[ATTRIBUTES[a] as Attribute];
      if (values === undefined) continue;
      const byValue = keyIds[a] as Map<string, number>;
      if (byValue.size === 0) continue;
      for (const value of values) {
        const key = byValue.get(value);
        if (key === undefined || keyStamp[key] === epoch) continue;
        keyStamp[key] = epoch;
        contextKeys.push(key);
        for (let k = 1; k < partitionCount; k++) {
          const s = (key * partitionCount + k) * 2 + 1;
          if ((offsets[s + 1] as number) > (offsets[s] as number) && attributeSeen[a * partitionCount + k] !== epoch) {
            attributeSeen[a * partitionCount + k] = epoch;
            attributesPerPartition[k] = (attributesPerPartition[k] as number) + 1;
          }
        }
      }
    }
    attributesPerPartition[0] = 1;
    let lastPartition = partitionCount - 1;
    while (lastPartition > 0 && (attributesPerPartition[lastPartition] as number) < lastPartition) lastPartition--;

    // 2. Vetoes from ∉ postings, in every partition that can hold a match.
    for (let i = 0; i < contextKeys.length; i++) {
      const base = (contextKeys[i] as number) * partitionCount * 2;
      for (let k = 0; k <= lastPartition; k++) {
        if (k > 0 && (attributesPerPartition[k] as number) < k) continue;
        const s = base + k * 2;
        for (let p = offsets[s] as number, end = offsets[s + 1] as number; p < end; p++) {
          const at = (postings[p] as number) << 1;
          state[at] = epoch;
          state[at + 1] = VETO;
        }
      }
    }

    // 3. Count ∈ postings into slot masks; a conjunction holds the moment its mask is complete.
    for (let i = 0; i < contextKeys.length; i++) {
      const base = (contextKeys[i] as number) * partitionCount * 2;
      for (let k = 1; k <= lastPartition; k++) {
        if ((attributesPerPartition[k] as number) < k) continue;
        const s = base + k * 2 + 1;
        for (let p = offsets[s] as number, end = offsets[s + 1] as number; p < end; p++) {
          const code = postings[p] as number;
          const id = code >>> SLOT_BITS;
          const at = id << 1;
          let mask = 1 << (code & SLOT_MASK);
          if (state[at] === epoch) mask |= state[at + 1] as number;
          else state[at] = epoch;
          state[at + 1] = mask;
          if (mask === required[id]) {
            const campaign = conjunctionCampaign[id] as number;
            if (campaignStamp[campaign] !== epoch) {
              campaignStamp[campaign] = epoch;
              out[found++] = campaign;
            }
          }
        }
      }
    }

    // 4. Z: conjunctions with no ∈ predicate hold unless vetoed.
    for (let id = 0; id < zEnd; id++) {
      if (state[id << 1] === epoch && state[(id << 1) + 1] === VETO) continue;
      const campaign = conjunctionCampaign[id] as number;
      if (campaignStamp[campaign] !== epoch) {
        campaignStamp[campaign] = epoch;
        out[found++] = campaign;
      }
    }

    for (const u of unindexed) {
      if (campaignStamp[u.campaign] !== epoch && evaluateConjunction(u.conjunction, ctx)) {
        campaignStamp[u.campaign] = epoch;
        out[found++] = u.campaign;
      }
    }

    const result = new Array<string>(found);
    for (let i = 0; i < found; i++) result[i] = campaignIds[out[i] as number] as string;
    return result;
  }

  function memoryBytes(): number {
    return bytes;
  }

  return { match, stats, memoryBytes };
}
