import { ATTRIBUTES } from '../targeting.js';
import type { Attribute, TargetingContext } from '../targeting.js';
import type { Layout } from './layout.js';

/** Stamps wrap before the Int32 epoch would overflow; then all stamps are cleared once. */
const MAX_EPOCH = 0x7fffffff;

/**
 * Matching one request over a layout, with per-request scratch that is never cleared between
 * requests (a per-key and per-campaign epoch stamp instead). Returns the matching campaigns'
 * ordinals: a view of the scratch, valid until the next call.
 */
export function matcher(
  keyIds: readonly Map<string, number>[],
  layout: Layout,
  campaigns: number,
): { match(ctx: TargetingContext): Int32Array; bytes: number } {
  const { lists, offsets, zLists, zOffsets, zCampaign, inPair, inTriple, hasTriple } = layout;
  const pairTable = layout.pairs;
  const keys = keyIds.reduce((n, m) => n + m.size, 0);
  const zEnd = zCampaign.length;
  const zState = new Int32Array(zEnd);
  const campaignStamp = new Int32Array(campaigns);
  const keyStamp = new Int32Array(keys);
  const out = new Int32Array(campaigns);
  const contextKeys = new Int32Array(keys);
  /** The context keys that end some triple. */
  const contextThirds = new Int32Array(keys);
  let epoch = 0;

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

  function match(ctx: TargetingContext): Int32Array {
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

  const bytes = zState.byteLength + campaignStamp.byteLength + keyStamp.byteLength + out.byteLength + contextKeys.byteLength + contextThirds.byteLength;
  return { match, bytes };
}
