import { ATTRIBUTES } from './targeting.js';
import type { Attribute, Conjunction, Targeting, TargetingContext } from './targeting.js';

/**
 * Boolean-expression inverted index for DNF targeting: the index layout of Whang et al.,
 * "Indexing Boolean Expressions", PVLDB 2009 (DNF variant, §3–4) — K partitions, posting lists
 * per (attribute, value) key, a Z list — with each conjunction posted under one pivot predicate
 * and its other predicates checked in place.
 *
 * Build (once; the index is immutable):
 * - Each conjunction goes to partition K, the number of distinct attributes among its `in`
 *   predicates (with one `in` per attribute, the paper's K): it can only hold for a context with
 *   at least K distinct known attributes. K = 0 conjunctions (only ∉ predicates, or none) form
 *   the Z list: they hold unless vetoed, so they are posted under their ∉ values.
 * - A key's selectivity estimate is its share of the `in` postings of its attribute (advertisers
 *   target what traffic has); a predicate's is the sum over its values. A K ≥ 1 conjunction is
 *   posted under the values of its most selective `in` predicate (its pivot), and each posting is
 *   a record (campaign, n, program): its other predicates, ∈ then ∉, most likely to fail first.
 * - All records live in one Int32Array addressed by (K, key). A change to any campaign means
 *   building the whole index again (linear in postings), and the serve path swaps it in.
 *
 * Match (one request):
 * 1. Stamp the context's keys (a per-key epoch, so nothing is cleared between requests) and
 *    count its distinct known attributes A; partitions K > A are not read at all.
 * 2. Z: ∉ postings of the context's keys veto their conjunctions; the others hold.
 * 3. Per partition K ≥ 1, per context key, each record is a conjunction whose pivot holds: run
 *    its program (each predicate: is any of its keys stamped?) and emit its campaign if it
 *    holds, deduplicated by a per-campaign epoch stamp. The output is one fresh string array.
 *
 * Relation to the paper and why this shape (measured at 100 000 campaigns, bench/engine.ts):
 * Whang et al.'s Conjunction algorithm walks the K lists of a partition in step and skips by
 * binary search past conjunctions that cannot be in K lists. In JS its per-step bookkeeping
 * (re-ordering lists, galloping) cost ~80 ns a step, 4.3 ms a request. The counting algorithm of
 * publish/subscribe matching over the same layout (a typed-array scan adding slot bits into a
 * per-conjunction mask) reads every ∈ posting of the context's keys, ~180 000 a request: 1.6 ms.
 * Counting over only the two most selective predicates read ~50 000 postings, but each was a
 * cache miss on the conjunction's state (0.46 ms). Posting one pivot with the program inline
 * reads ~15 000 records sequentially, touching only the small key-stamp array at random: 0.28
 * ms. The answer stays exact because every predicate of a candidate is still checked, and a
 * multi-valued context (several interests in one predicate) or two `in` predicates on one
 * attribute need no special case: a predicate holds when any of its keys is stamped.
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
  /** Conjunctions evaluated outside the index; always 0 now that programs take any size (kept for callers). */
  unindexed: number;
}

export interface TargetingIndex {
  /** Ids of the campaigns whose targeting matches, each once, in no particular order. */
  match(ctx: TargetingContext): string[];
  readonly stats: IndexStats;
  /** Approximate bytes held by the index's arrays (postings, partitions, key tables). */
  memoryBytes(): number;
}

/** Record and list offsets are Int32. */
const MAX_CONJUNCTIONS = 2 ** 29;
/** Stamps wrap before the Int32 epoch would overflow; then all stamps are cleared once. */
const MAX_EPOCH = 0x7fffffff;
/** Rough per-key cost of the key tables (Map entry, string). */
const KEY_OVERHEAD_BYTES = 64;
/** Rough per-campaign cost of the id table (array slot, string). */
const CAMPAIGN_OVERHEAD_BYTES = 64;

/** One predicate with its values as key ids, during the build. */
interface KeyedPredicate {
  in: boolean;
  keys: number[];
  /** Estimated share of contexts that satisfy the `in` (or fail the ∉) predicate. */
  estimate: number;
}

interface PendingConjunction {
  campaign: number;
  k: number;
  predicates: KeyedPredicate[];
}

export function buildIndex(entries: readonly IndexEntry[]): TargetingIndex {
  const campaignIds: string[] = [];
  const campaignIndex = new Map<string, number>();
  /** Attribute ordinal → value → key id. */
  const keyIds: Map<string, number>[] = ATTRIBUTES.map(() => new Map());
  const keyAttribute: number[] = [];
  /** Per key, the number of `in` predicates that name it; per attribute, their sum. */
  const keyInCount: number[] = [];
  const attributeInCount = new Array<number>(ATTRIBUTES.length).fill(0);
  const pending: PendingConjunction[] = [];
  const attributeOrdinal = new Map<Attribute, number>(ATTRIBUTES.map((a, i) => [a, i]));
  let partitionCount = 1;

  const keyId = (attribute: number, value: string): number => {
    const byValue = keyIds[attribute] as Map<string, number>;
    let id = byValue.get(value);
    if (id === undefined) {
      id = keyAttribute.length;
      byValue.set(value, id);
      keyAttribute.push(attribute);
      keyInCount.push(0);
    }
    return id;
  };

  const addConjunction = (campaign: number, conjunction: Conjunction): void => {
    const inAttributes = new Set<Attribute>();
    for (const p of conjunction) {
      if (p.op !== 'in') continue;
      // An `in` without values never holds, so neither does its conjunction: nothing to index.
      if (p.values.length === 0) return;
      inAttributes.add(p.attribute);
    }
    const predicates: KeyedPredicate[] = [];
    for (const p of conjunction) {
      // A ∉ without values always holds.
      if (p.values.length === 0) continue;
      const attribute = attributeOrdinal.get(p.attribute) as number;
      // Repeated values would only repeat a posting.
      const keys = [...new Set(p.values)].map((value) => keyId(attribute, value));
      if (p.op === 'in') {
        for (const key of keys) keyInCount[key] = (keyInCount[key] as number) + 1;
        attributeInCount[attribute] = (attributeInCount[attribute] as number) + keys.length;
      }
      predicates.push({ in: p.op === 'in', keys, estimate: 0 });
    }
    const k = inAttributes.size;
    if (k + 1 > partitionCount) partitionCount = k + 1;
    pending.push({ campaign, k, predicates });
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
  const conjunctions = pending.length;
  if (conjunctions > MAX_CONJUNCTIONS) throw new RangeError(`More than ${MAX_CONJUNCTIONS} conjunctions`);

  // Selectivity: `in` predicates by the share of their keys (rarest first), ∉ after them.
  const share = (key: number): number => (keyInCount[key] as number) / Math.max(1, attributeInCount[keyAttribute[key] as number] as number);
  const failureChance = (p: KeyedPredicate): number => (p.in ? 1 - p.estimate : Math.min(1, p.estimate));
  for (const c of pending) {
    for (const p of c.predicates) p.estimate = p.keys.reduce((sum, key) => sum + share(key), 0);
    c.predicates.sort((a, b) => (a.in === b.in ? (a.in ? a.estimate - b.estimate : b.estimate - a.estimate) : a.in ? -1 : 1));
  }

  // Conjunction ids follow partitions: Z is [0, zEnd), then K = 1, 2, …
  const partitionSizes = new Array<number>(partitionCount).fill(0);
  for (const c of pending) partitionSizes[c.k] = (partitionSizes[c.k] as number) + 1;
  const nextId = new Int32Array(partitionCount);
  for (let k = 1; k < partitionCount; k++) nextId[k] = (nextId[k - 1] as number) + (partitionSizes[k - 1] as number);
  const zEnd = partitionSizes[0] as number;
  const order: PendingConjunction[] = new Array<PendingConjunction>(conjunctions);
  for (const c of pending) {
    const id = nextId[c.k] as number;
    nextId[c.k] = id + 1;
    order[id] = c;
  }

  // Segment (K, key) spans words [offsets[s], offsets[s + 1]) of `lists`, s = K × keys + key.
  // A K ≥ 1 record is (campaign, n, program of n words); a Z record is the conjunction id.
  const keys = keyAttribute.length;
  const segments = partitionCount * keys;
  const offsets = new Int32Array(segments + 1);
  const programOf = (c: PendingConjunction): number[] => {
    const words: number[] = [];
    for (const p of c.predicates.slice(1)) words.push(p.keys.length * 2 + (p.in ? 1 : 0), ...p.keys);
    return words;
  };
  const programs: number[][] = order.map((c) => (c.k === 0 ? [] : programOf(c)));
  let records = 0;
  for (let id = 0; id < conjunctions; id++) {
    const c = order[id] as PendingConjunction;
    const posted = c.k === 0 ? c.predicates : c.predicates.slice(0, 1);
    const words = c.k === 0 ? 1 : 2 + (programs[id] as number[]).length;
    for (const p of posted) {
      for (const key of p.keys) {
        const s = c.k * keys + key + 1;
        offsets[s] = (offsets[s] as number) + words;
        records++;
      }
    }
  }
  for (let s = 0; s < segments; s++) offsets[s + 1] = (offsets[s + 1] as number) + (offsets[s] as number);
  const lists = new Int32Array(offsets[segments] as number);
  const fill = offsets.slice(0, segments);
  const zCampaign = new Int32Array(zEnd);
  for (let id = 0; id < conjunctions; id++) {
    const c = order[id] as PendingConjunction;
    if (c.k === 0) {
      zCampaign[id] = c.campaign;
      for (const p of c.predicates) {
        for (const key of p.keys) {
          lists[fill[key] as number] = id;
          fill[key] = (fill[key] as number) + 1;
        }
      }
      continue;
    }
    const program = programs[id] as number[];
    for (const key of (c.predicates[0] as KeyedPredicate).keys) {
      const s = c.k * keys + key;
      let at = fill[s] as number;
      lists[at++] = c.campaign;
      lists[at++] = program.length;
      for (const word of program) lists[at++] = word;
      fill[s] = at;
    }
  }
  // The closures below share this scope: drop the build's objects so the index does not hold them.
  pending.length = 0;
  order.length = 0;
  programs.length = 0;

  const stats: IndexStats = {
    campaigns: campaignIds.length,
    conjunctions,
    postings: records + zEnd,
    keys,
    partitionSizes,
    unindexed: 0,
  };

  // Per-request scratch, reused: nothing here is cleared between requests (see epochs).
  const zState = new Int32Array(zEnd);
  const campaignStamp = new Int32Array(campaignIds.length);
  const keyStamp = new Int32Array(keys);
  const attributeStamp = new Int32Array(ATTRIBUTES.length);
  const out = new Int32Array(campaignIds.length);
  const contextKeys = new Int32Array(keys);
  let epoch = 0;

  const bytes =
    lists.byteLength +
    offsets.byteLength +
    zCampaign.byteLength +
    zState.byteLength +
    keyStamp.byteLength +
    contextKeys.byteLength +
    keys * KEY_OVERHEAD_BYTES +
    campaignIds.length * (campaignStamp.BYTES_PER_ELEMENT + out.BYTES_PER_ELEMENT + CAMPAIGN_OVERHEAD_BYTES);

  function match(ctx: TargetingContext): string[] {
    if (++epoch === MAX_EPOCH) {
      zState.fill(0);
      campaignStamp.fill(0);
      keyStamp.fill(0);
      attributeStamp.fill(0);
      epoch = 1;
    }
    let found = 0;

    // 1. The context's keys, and how many distinct attributes they cover.
    let contextKeyCount = 0;
    let attributes = 0;
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
        if (attributeStamp[a] !== epoch) {
          attributeStamp[a] = epoch;
          attributes++;
        }
      }
    }

    // 2. Z: vetoed by any ∉ posting of a context key, else it holds.
    if (zEnd > 0) {
      for (let i = 0; i < contextKeyCount; i++) {
        const s = contextKeys[i] as number;
        for (let p = offsets[s] as number, end = offsets[s + 1] as number; p < end; p++) zState[lists[p] as number] = epoch;
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

    // 3. Per partition that can hold a match, per context key: every record is a conjunction
    //    whose pivot holds; run its program (each predicate: is any of its keys stamped?).
    const lastPartition = Math.min(attributes, partitionCount - 1);
    for (let k = 1; k <= lastPartition; k++) {
      const base = k * keys;
      for (let i = 0; i < contextKeyCount; i++) {
        const s = base + (contextKeys[i] as number);
        let p = offsets[s] as number;
        const end = offsets[s + 1] as number;
        while (p < end) {
          const campaign = lists[p] as number;
          const stop = p + 2 + (lists[p + 1] as number);
          p += 2;
          let holds = true;
          while (p < stop) {
            const head = lists[p++] as number;
            const next = p + (head >>> 1);
            let any = false;
            for (; p < next; p++) {
              if (keyStamp[lists[p] as number] === epoch) {
                any = true;
                break;
              }
            }
            p = next;
            if (any !== ((head & 1) === 1)) {
              holds = false;
              break;
            }
          }
          p = stop;
          if (holds && campaignStamp[campaign] !== epoch) {
            campaignStamp[campaign] = epoch;
            out[found++] = campaign;
          }
        }
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
