import { ATTRIBUTES } from '../targeting.js';
import type { Attribute, Conjunction, Targeting } from '../targeting.js';
import { IntList } from './tables.js';

/** The shape of one campaign for the index. The same id given twice ORs the targetings. */
export interface IndexEntry {
  id: string;
  targeting: Targeting;
}

/**
 * Pass 1 of the build: every conjunction, its predicates and their (attribute, value) keys in
 * flat lists, with no per-conjunction objects.
 * - Conjunction c: campaign cCampaign[c], k = cK[c] distinct attributes among its `in`
 *   predicates, predicates [cStart[c], cStart[c + 1]).
 * - Predicate p: pIn[p] (1 for `in`), attribute pAttribute[p], keys pKeys[pStart[p], pStart[p + 1]).
 * An `in` without values never holds, so neither does its conjunction: it is left out. A ∉
 * without values always holds: it is left out of its conjunction.
 */
export interface Conjunctions {
  campaignIds: string[];
  /** Attribute ordinal → value → key id. */
  keyIds: Map<string, number>[];
  keyAttribute: number[];
  /** Per key, the `in` predicates that name it; per attribute, their sum. */
  keyInCount: number[];
  attributeInCount: number[];
  cCampaign: Int32Array;
  cK: Int32Array;
  cStart: Int32Array;
  pIn: Int32Array;
  pAttribute: Int32Array;
  pStart: Int32Array;
  pKeys: Int32Array;
  conjunctions: number;
  predicates: number;
  keys: number;
}

export function flatten(entries: readonly IndexEntry[]): Conjunctions {
  const attributeOrdinal = new Map<Attribute, number>(ATTRIBUTES.map((a, i) => [a, i]));
  const campaignIds: string[] = [];
  const campaignIndex = new Map<string, number>();
  const keyIds: Map<string, number>[] = ATTRIBUTES.map(() => new Map());
  const keyAttribute: number[] = [];
  const keyInCount: number[] = [];
  const attributeInCount = new Array<number>(ATTRIBUTES.length).fill(0);
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
      keyInCount.push(0);
    }
    return id;
  };

  const addConjunction = (campaign: number, conjunction: Conjunction): void => {
    let mask = 0;
    for (const p of conjunction) {
      if (p.op !== 'in') continue;
      if (p.values.length === 0) return;
      mask |= 1 << (attributeOrdinal.get(p.attribute) as number);
    }
    cCampaign.push(campaign);
    cStart.push(pIn.n);
    let k = 0;
    for (; mask !== 0; mask &= mask - 1) k++;
    cK.push(k);
    for (const p of conjunction) {
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
  const predicates = pIn.n;
  cStart.push(predicates);
  pStart.push(pKeys.n);
  return {
    campaignIds,
    keyIds,
    keyAttribute,
    keyInCount,
    attributeInCount,
    cCampaign: cCampaign.a,
    cK: cK.a,
    cStart: cStart.a,
    pIn: pIn.a,
    pAttribute: pAttribute.a,
    pStart: pStart.a,
    pKeys: pKeys.a,
    conjunctions,
    predicates,
    keys: keyAttribute.length,
  };
}
