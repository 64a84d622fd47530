import { ATTRIBUTES } from '../targeting.js';
import type { Attribute } from '../targeting.js';
import type { Conjunctions } from './conjunctions.js';

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
/** Values a request carries per attribute: a viewer has several interests, one of everything else. */
const VALUES_PER_REQUEST: Partial<Record<Attribute, number>> = { interest: 2.5 };
/** Attributes of the ad unit: the unit fixes the account, the account its category. */
const UNIT_ATTRIBUTES: ReadonlySet<Attribute> = new Set<Attribute>(['adUnitId', 'accountId', 'accountCategory']);

/**
 * Pass 2 of the build: each conjunction's pivot — predicate pivotA[c], with pivotB[c] a pair and
 * pivotC[c] a triple (-1 when absent) — and per predicate the estimated chance a request meets it.
 */
export interface Pivots {
  pivotA: Int32Array;
  pivotB: Int32Array;
  pivotC: Int32Array;
  /** Σ frequency of a predicate's keys (the chance it meets a request, roughly). */
  pEstimate: Float64Array;
  /** Pair-table entries the pivots need at most (a triple interns its prefix pair and itself). */
  maxPairs: number;
}

export function choosePivots(f: Conjunctions, usePairs: boolean, useTriples: boolean): Pivots {
  const { pKeys, pStart, pIn, pAttribute, cStart, cK, conjunctions, predicates } = f;
  const unitAttribute = ATTRIBUTES.map((a) => UNIT_ATTRIBUTES.has(a));
  // Key frequency: the value's share of its attribute's `in` postings × the values a request carries.
  const frequency = new Float64Array(f.keys);
  for (let key = 0; key < f.keys; key++) {
    const attribute = f.keyAttribute[key] as number;
    const share = (f.keyInCount[key] as number) / Math.max(1, f.attributeInCount[attribute] as number);
    frequency[key] = Math.min(1, share * (VALUES_PER_REQUEST[ATTRIBUTES[attribute] as Attribute] ?? 1));
  }
  const pEstimate = new Float64Array(predicates);
  for (let p = 0; p < predicates; p++) {
    let sum = 0;
    for (let i = pStart[p] as number, end = pStart[p + 1] as number; i < end; i++) sum += frequency[pKeys[i] as number] as number;
    pEstimate[p] = sum;
  }
  const pSize = (p: number): number => (pStart[p + 1] as number) - (pStart[p] as number);
  /** Σ P(u ∧ v): independent, but the unit's attributes determine one another (min). */
  const pairEstimate = (p: number, q: number): number => {
    if (!(unitAttribute[pAttribute[p] as number] && unitAttribute[pAttribute[q] as number])) {
      return (pEstimate[p] as number) * (pEstimate[q] as number);
    }
    let sum = 0;
    for (let i = pStart[p] as number, ie = pStart[p + 1] as number; i < ie; i++) {
      const fu = frequency[pKeys[i] as number] as number;
      for (let j = pStart[q] as number, je = pStart[q + 1] as number; j < je; j++) sum += Math.min(fu, frequency[pKeys[j] as number] as number);
    }
    return sum;
  };
  /** Σ P(u ∧ v ∧ w) over a triple's value combinations: independent, but the unit's attributes go together. */
  const tripleEstimate = (p: number, q: number, r: number): number => {
    let product = 1;
    let unit = Infinity;
    for (const x of [p, q, r]) {
      if (unitAttribute[pAttribute[x] as number]) unit = Math.min(unit, pEstimate[x] as number);
      else product *= pEstimate[x] as number;
    }
    return unit === Infinity ? product : product * unit;
  };

  const pivotA = new Int32Array(conjunctions);
  const pivotB = new Int32Array(conjunctions).fill(-1);
  const pivotC = new Int32Array(conjunctions).fill(-1);
  let maxPairs = 0;
  for (let c = 0; c < conjunctions; c++) {
    if (cK[c] === 0) continue;
    const from = cStart[c] as number;
    const to = cStart[c + 1] as number;
    let best = -1;
    let bestEstimate = Infinity;
    for (let p = from; p < to; p++) {
      if (pIn[p] === 1 && (pEstimate[p] as number) < bestEstimate) {
        best = p;
        bestEstimate = pEstimate[p] as number;
      }
    }
    pivotA[c] = best;
    if (!usePairs || (cK[c] as number) < 2) continue;
    let pairEstimateBest = bestEstimate * PAIR_GAIN;
    for (let p = from; p < to; p++) {
      if (pIn[p] !== 1) continue;
      for (let q = p + 1; q < to; q++) {
        if (pIn[q] !== 1 || pAttribute[q] === pAttribute[p] || pSize(p) * pSize(q) > MAX_PAIR_POSTINGS) continue;
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
    if (useTriples && (cK[c] as number) >= 3 && current > MIN_TRIPLE_ESTIMATE) {
      let tripleBest = current * TRIPLE_GAIN;
      for (let p = from; p < to; p++) {
        if (pIn[p] !== 1) continue;
        for (let q = p + 1; q < to; q++) {
          if (pIn[q] !== 1 || pAttribute[q] === pAttribute[p]) continue;
          for (let r = q + 1; r < to; r++) {
            if (pIn[r] !== 1 || pAttribute[r] === pAttribute[p] || pAttribute[r] === pAttribute[q]) continue;
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
    if (pivotB[c] !== -1) maxPairs += pSize(pivotA[c] as number) * pSize(pivotB[c] as number) * (pivotC[c] === -1 ? 1 : 2 * pSize(pivotC[c] as number));
  }
  return { pivotA, pivotB, pivotC, pEstimate, maxPairs };
}
