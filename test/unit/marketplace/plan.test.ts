import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveMultipleChoiceKnapsack, type KnapsackItem, type PlanOptions } from '../../../functions/core/marketplace/plan.js';

/** The config's defaults (MATCH_PLAN_WORK_LIMIT, MATCH_PLAN_MAX_EPSILON, MATCH_PLAN_MAX_WORK), as README states them. */
const PLAN_OPTIONS: PlanOptions = { workLimit: 20_000_000, maxEpsilon: 0.05, maxWork: 60_000_000 };

/** Best reach over every choice of at most one item per group (exponential: small inputs only). */
function bruteForce(items: readonly KnapsackItem[], budget: number): number {
  const groups = [...new Set(items.map((i) => i.group))];
  let best = 0;
  const walk = (g: number, cost: number, reach: number): void => {
    if (cost > budget) return;
    if (g === groups.length) {
      best = Math.max(best, reach);
      return;
    }
    walk(g + 1, cost, reach);
    items.forEach((it) => {
      if (it.group === groups[g]) walk(g + 1, cost + it.costMicros, reach + it.reach);
    });
  };
  walk(0, 0, 0);
  return best;
}

function check(items: readonly KnapsackItem[], budget: number, chosen: readonly number[]): { cost: number; reach: number } {
  const picked = chosen.map((i) => items[i]!);
  const groups = picked.map((p) => p.group);
  expect(new Set(groups).size).toBe(groups.length);
  const cost = picked.reduce((s, p) => s + p.costMicros, 0);
  expect(cost).toBeLessThanOrEqual(budget);
  return { cost, reach: picked.reduce((s, p) => s + p.reach, 0) };
}

const itemArb = fc.record({
  group: fc.constantFrom('a|d1', 'a|d2', 'b|d1', 'c|d1', 'c|d3'),
  // Prices at arbitrary micros, up to 20 000 CNY.
  costMicros: fc.integer({ min: 1, max: 20_000_000_000 }),
  reach: fc.integer({ min: 0, max: 200_000 }),
});

describe('solveMultipleChoiceKnapsack', () => {
  it('does take the best slot of every group when everything fits', () => {
    const items: KnapsackItem[] = [
      { group: 'a', costMicros: 100, reach: 10 },
      { group: 'a', costMicros: 300, reach: 25 },
      { group: 'b', costMicros: 200, reach: 30 },
    ];
    const s = solveMultipleChoiceKnapsack(items, 1_000, PLAN_OPTIONS);
    expect(s).toEqual({ chosen: [1, 2], method: 'exact' });
  });

  it('does prefer two cheaper groups over one expensive slot when they reach more', () => {
    // Budget 500: {a:300 → 25} + {b:200 → 30} = 55 beats {c:500 → 50}; a:100 + b:200 = 40.
    const items: KnapsackItem[] = [
      { group: 'a', costMicros: 100, reach: 10 },
      { group: 'a', costMicros: 300, reach: 25 },
      { group: 'b', costMicros: 200, reach: 30 },
      { group: 'c', costMicros: 500, reach: 50 },
    ];
    const s = solveMultipleChoiceKnapsack(items, 500, PLAN_OPTIONS);
    expect(s.chosen).toEqual([1, 2]);
    expect(s.method).toBe('exact');
  });

  it('does return an empty exact plan when nothing fits or reaches anyone', () => {
    expect(solveMultipleChoiceKnapsack([{ group: 'a', costMicros: 10, reach: 5 }], 9, PLAN_OPTIONS)).toEqual({ chosen: [], method: 'exact' });
    expect(solveMultipleChoiceKnapsack([{ group: 'a', costMicros: 1, reach: 0 }], 9, PLAN_OPTIONS)).toEqual({ chosen: [], method: 'exact' });
  });

  it('does match the brute-force optimum on small random inputs', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 10 }), fc.integer({ min: 0, max: 60_000_000_000 }), (items, budget) => {
        const s = solveMultipleChoiceKnapsack(items, budget, PLAN_OPTIONS);
        const { reach } = check(items, budget, s.chosen);
        const optimum = bruteForce(items, budget);
        if (s.method === 'exact') expect(reach).toBe(optimum);
        else {
          expect(reach).toBeGreaterThanOrEqual(s.bound!.ratio * optimum - 1e-9);
          expect(optimum).toBeLessThanOrEqual(s.bound!.upperBoundReach);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does match the brute force with round prices and large reach (the DP over cost)', () => {
    // Prices in whole CNY keep the cost table small (budget / GCD), while reach in the millions
    // makes the reach table too big: this exercises the exact DP over cost.
    const roundItem = fc.record({
      group: fc.constantFrom('a|d1', 'a|d2', 'b|d1', 'c|d1'),
      costMicros: fc.integer({ min: 1, max: 100 }).map((cny) => cny * 1_000_000),
      reach: fc.integer({ min: 1_000_000, max: 9_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(roundItem, { maxLength: 10 }), fc.integer({ min: 0, max: 300 }), (items, cny) => {
        const budget = cny * 1_000_000;
        const s = solveMultipleChoiceKnapsack(items, budget, PLAN_OPTIONS);
        const { reach } = check(items, budget, s.chosen);
        expect(s.method).toBe('exact');
        expect(reach).toBe(bruteForce(items, budget));
      }),
      { numRuns: 300 },
    );
  });

  it('does meet its proven bound when forced to approximate', () => {
    // A tiny work limit forces the FPTAS; the bound must hold against the brute force, and the
    // a-priori guarantee (1 − maxEpsilon) must too.
    const options = { ...PLAN_OPTIONS, workLimit: 50, maxEpsilon: 0.3 };
    let approximations = 0;
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 4, maxLength: 10 }), fc.integer({ min: 0, max: 60_000_000_000 }), (items, budget) => {
        const s = solveMultipleChoiceKnapsack(items, budget, options);
        const { reach } = check(items, budget, s.chosen);
        const optimum = bruteForce(items, budget);
        expect(reach).toBeGreaterThanOrEqual((1 - options.maxEpsilon) * optimum);
        if (s.method === 'exact') expect(reach).toBe(optimum);
        else {
          approximations++;
          expect(s.bound!.ratio).toBeGreaterThanOrEqual(1 - options.maxEpsilon);
          expect(reach).toBeGreaterThanOrEqual(s.bound!.ratio * optimum - 1e-9);
          expect(optimum).toBeLessThanOrEqual(s.bound!.upperBoundReach);
        }
      }),
      { numRuns: 500 },
    );
    expect(approximations).toBeGreaterThan(0);
  });

  it('does answer with a certified plan when it runs out of work or time', () => {
    // No work at all, or a stopwatch already past its limit: the solver must still answer with a
    // plan that fits, and its bound must hold against the brute force (the greedy plan: ≥ ½ OPT).
    const outOfWork = { ...PLAN_OPTIONS, maxWork: 0 };
    const outOfTime = { ...PLAN_OPTIONS, timeLimit: { ms: 100, elapsedMs: () => 101 } };
    let fallbacks = 0;
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 4, maxLength: 10 }), fc.integer({ min: 0, max: 60_000_000_000 }), (items, budget) => {
        for (const options of [outOfWork, outOfTime]) {
          const s = solveMultipleChoiceKnapsack(items, budget, options);
          const { reach } = check(items, budget, s.chosen);
          const optimum = bruteForce(items, budget);
          expect(reach).toBeGreaterThanOrEqual(optimum / 2);
          if (s.method === 'exact') expect(reach).toBe(optimum);
          else {
            fallbacks++;
            expect(reach).toBeGreaterThanOrEqual(s.bound!.ratio * optimum - 1e-9);
            expect(optimum).toBeLessThanOrEqual(s.bound!.upperBoundReach);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(fallbacks).toBeGreaterThan(0);
  });

  it('does plan 1000 slots with a 1e12-micro budget at arbitrary prices quickly', () => {
    const items: KnapsackItem[] = [];
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 1000; i++) {
      const reach = Math.floor(500 + rand() * 300_000);
      // About 20–300 CNY per thousand reads, at arbitrary micros.
      const costMicros = Math.floor(((reach * (20_000 + rand() * 280_000)) / 1000) * 1000) + Math.floor(rand() * 1000);
      items.push({ group: `acct${i % 300}|day${Math.floor(i / 300)}`, costMicros, reach });
    }
    const total = items.reduce((s, i) => s + i.costMicros, 0);
    expect(total).toBeGreaterThan(1e12); // the budget binds
    const started = performance.now();
    const s = solveMultipleChoiceKnapsack(items, 1e12, PLAN_OPTIONS);
    const elapsed = performance.now() - started;
    check(items, 1e12, s.chosen);
    expect(elapsed).toBeLessThan(3_000);
    if (s.method === 'approximate') expect(s.bound!.ratio).toBeGreaterThanOrEqual(1 - PLAN_OPTIONS.maxEpsilon);
  });
});
