import { seededRandom } from '../../../functions/core/shared/random.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../../functions/core/serving/be-index.js';
import type { IndexEntry } from '../../../functions/core/serving/be-index.js';
import { ATTRIBUTES, evaluate } from '../../../functions/core/serving/targeting.js';
import type { Attribute, Predicate, Targeting, TargetingContext } from '../../../functions/core/serving/targeting.js';

// A small alphabet so that predicates and contexts collide often.
const value = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const attribute = fc.constantFrom(...ATTRIBUTES);
const predicate: fc.Arbitrary<Predicate> = fc.record({
  attribute,
  op: fc.constantFrom('in' as const, 'not_in' as const),
  values: fc.array(value, { maxLength: 3 }),
});
const conjunction = fc.array(predicate, { maxLength: 5 });
const targeting: fc.Arbitrary<Targeting> = fc.array(conjunction, { maxLength: 4 });
const context: fc.Arbitrary<TargetingContext> = fc.dictionary(attribute, fc.array(value, { maxLength: 3 }), { maxKeys: 9 }) as fc.Arbitrary<TargetingContext>;
const campaigns: fc.Arbitrary<IndexEntry[]> = fc.array(targeting, { maxLength: 40 }).map((ts) => ts.map((t, i) => ({ id: `cmp_${i}`, targeting: t })));

const bruteForce = (entries: readonly IndexEntry[], ctx: TargetingContext): string[] =>
  entries
    .filter((e) => evaluate(e.targeting, ctx))
    .map((e) => e.id)
    .sort();

describe('buildIndex', () => {
  it('returns exactly the campaigns brute-force evaluation returns', () => {
    fc.assert(
      fc.property(campaigns, fc.array(context, { minLength: 1, maxLength: 20 }), (entries, contexts) => {
        const index = buildIndex(entries);
        for (const ctx of contexts) {
          const got = index.match(ctx);
          expect(new Set(got).size).toBe(got.length);
          expect([...got].sort()).toEqual(bruteForce(entries, ctx));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stays exact whatever the pivots: single keys only, pairs or triples wherever allowed', () => {
    fc.assert(
      fc.property(campaigns, fc.array(context, { minLength: 1, maxLength: 10 }), fc.boolean(), fc.boolean(), (entries, contexts, pairs, triples) => {
        const index = buildIndex(entries, { pairs, triples });
        for (const ctx of contexts) {
          const got = index.match(ctx);
          expect(new Set(got).size).toBe(got.length);
          expect([...got].sort()).toEqual(bruteForce(entries, ctx));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('posts a pair key when both predicates are popular alone, and still checks the rest', () => {
    const entries: IndexEntry[] = [
      {
        id: 'c',
        targeting: [
          [
            { attribute: 'region', op: 'in', values: ['r1', 'r2'] },
            { attribute: 'gender', op: 'in', values: ['f'] },
            { attribute: 'ageBand', op: 'in', values: ['a'] },
            { attribute: 'interest', op: 'not_in', values: ['x'] },
          ],
        ],
      },
      // Another gender and age band, so that each value is estimated on half the requests.
      {
        id: 'z',
        targeting: [
          [
            { attribute: 'gender', op: 'in', values: ['m'] },
            { attribute: 'ageBand', op: 'in', values: ['b'] },
          ],
        ],
      },
    ];
    // Each value on half the requests: gender × ageBand (one pair key, 1/4) beats any single key
    // (≥ 1/2) and region × either (two pair keys, 2 × 1/4); z is posted under its own pair.
    const index = buildIndex(entries);
    expect(index.stats.pairKeys).toBe(2);
    expect(index.stats.postings).toBe(2);
    const ctx = { region: ['r2', 'r9'], gender: ['f'], ageBand: ['a'], interest: ['y'] };
    expect(index.match(ctx)).toEqual(['c']);
    expect(index.match({ ...ctx, interest: ['y', 'x'] })).toEqual([]);
    expect(index.match({ ...ctx, ageBand: ['b'] })).toEqual([]);
    expect(index.match({ ...ctx, gender: undefined })).toEqual([]);
    expect(buildIndex(entries, { pairs: false }).stats.pairKeys).toBe(0);
  });

  it('posts a triple key when every pair is still popular, finds it through its prefix pair, and checks the rest', () => {
    const entries: IndexEntry[] = [
      {
        id: 'c',
        targeting: [
          [
            { attribute: 'region', op: 'in', values: ['r1'] },
            { attribute: 'gender', op: 'in', values: ['f'] },
            { attribute: 'ageBand', op: 'in', values: ['a', 'b'] },
            { attribute: 'device', op: 'in', values: ['m'] },
            { attribute: 'interest', op: 'not_in', values: ['x'] },
          ],
        ],
      },
      // Shares the triple's prefix pair only (region × gender), posted under the pair.
      {
        id: 'd',
        targeting: [
          [
            { attribute: 'region', op: 'in', values: ['r1'] },
            { attribute: 'gender', op: 'in', values: ['f'] },
          ],
        ],
      },
      // Other regions, genders and devices, one predicate each, so that each value above is estimated on half the requests.
      {
        id: 'e',
        targeting: [
          [{ attribute: 'region', op: 'in', values: ['r2'] }],
          [{ attribute: 'region', op: 'in', values: ['r2'] }],
          [{ attribute: 'gender', op: 'in', values: ['g2'] }],
          [{ attribute: 'gender', op: 'in', values: ['g2'] }],
          [{ attribute: 'device', op: 'in', values: ['t2'] }],
        ],
      },
    ];
    // region × gender × device (1/8, one posting) beats any pair (≥ 1/4).
    expect(buildIndex(entries).stats.tripleKeys).toBe(0); // small index: off by default
    const index = buildIndex(entries, { triples: true });
    expect(index.stats.tripleKeys).toBe(1);
    expect(index.stats.postings).toBe(7);
    const ctx = { region: ['r1'], gender: ['f'], ageBand: ['b'], device: ['m', 't'], interest: ['y'] };
    expect([...index.match(ctx)].sort()).toEqual(['c', 'd']);
    expect(index.match({ ...ctx, interest: ['x'] })).toEqual(['d']);
    expect(index.match({ ...ctx, ageBand: ['c'] })).toEqual(['d']);
    expect(index.match({ ...ctx, device: ['t'] })).toEqual(['d']);
    expect(index.match({ ...ctx, gender: ['m'] })).toEqual([]);
    const noPairs = buildIndex(entries, { pairs: false, triples: true });
    expect(noPairs.stats.tripleKeys).toBe(0);
    expect([...noPairs.match(ctx)].sort()).toEqual(['c', 'd']);
  });

  it('pivots on the key requests carry least often, as estimated from what campaigns target', () => {
    const c: IndexEntry = {
      id: 'c',
      targeting: [
        [
          { attribute: 'interest', op: 'in', values: ['tech'] },
          { attribute: 'region', op: 'in', values: ['r1', 'r2', 'r3'] },
        ],
      ],
    };
    const others = (attribute: Attribute, n: number): IndexEntry => ({
      id: `other ${attribute}`,
      targeting: Array.from({ length: n }, (_, i) => [{ attribute, op: 'in' as const, values: [`${attribute}${i}`] }]),
    });
    // Nine other interests make tech rare (1/10 × 2.5): posted once under it, plus the nine.
    expect(buildIndex([c, others('interest', 9)], { pairs: false }).stats.postings).toBe(10);
    // Nine other regions make each of c's rare (3 × 1/12): three postings, one per region, plus the nine.
    expect(buildIndex([c, others('region', 9)], { pairs: false }).stats.postings).toBe(12);
  });

  it('agrees with brute force on thousands of campaigns with long posting lists', () => {
    const rnd = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const values = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'];
    const attrs: Attribute[] = ['region', 'gender', 'ageBand', 'interest', 'device'];
    const entries: IndexEntry[] = [];
    for (let i = 0; i < 3000; i++) {
      const t: Predicate[][] = [];
      const nc = Math.floor(rnd() * 4);
      for (let c = 0; c < nc; c++) {
        const conj: Predicate[] = [];
        const np = Math.floor(rnd() * 6);
        for (let p = 0; p < np; p++) {
          const vs = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(values));
          conj.push({ attribute: pick(attrs), op: rnd() < 0.75 ? 'in' : 'not_in', values: vs });
        }
        t.push(conj);
      }
      entries.push({ id: `cmp_${i}`, targeting: t });
    }
    const index = buildIndex(entries);
    const singles = buildIndex(entries, { pairs: false });
    expect(index.stats.pairKeys).toBeGreaterThan(0);
    for (let q = 0; q < 300; q++) {
      const ctx: TargetingContext = {};
      for (const a of attrs) if (rnd() < 0.8) ctx[a] = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(values));
      const want = bruteForce(entries, ctx);
      expect([...index.match(ctx)].sort()).toEqual(want);
      expect([...singles.match(ctx)].sort()).toEqual(want);
    }
  });

  it('matches everything for empty targeting and an empty conjunction', () => {
    const index = buildIndex([
      { id: 'all', targeting: [] },
      { id: 'empty-conj', targeting: [[]] },
      { id: 'women', targeting: [[{ attribute: 'gender', op: 'in', values: ['f'] }]] },
    ]);
    expect(index.match({}).sort()).toEqual(['all', 'empty-conj']);
    expect(index.match({ gender: ['f'] }).sort()).toEqual(['all', 'empty-conj', 'women']);
  });

  it('lets a missing attribute satisfy not_in and fail in', () => {
    const index = buildIndex([
      { id: 'not-mobile', targeting: [[{ attribute: 'device', op: 'not_in', values: ['mobile'] }]] },
      { id: 'mobile', targeting: [[{ attribute: 'device', op: 'in', values: ['mobile'] }]] },
    ]);
    expect(index.match({ region: ['CN-SH'] })).toEqual(['not-mobile']);
    expect(index.match({ device: ['mobile'] })).toEqual(['mobile']);
  });

  it('needs every in predicate covered even when one attribute has several values', () => {
    // Two matching interests must not count as two satisfied predicates.
    const index = buildIndex([
      {
        id: 'c',
        targeting: [
          [
            { attribute: 'interest', op: 'in', values: ['tech', 'games'] },
            { attribute: 'region', op: 'in', values: ['CN-SH'] },
          ],
        ],
      },
      {
        id: 'twice',
        targeting: [
          [
            { attribute: 'interest', op: 'in', values: ['tech'] },
            { attribute: 'interest', op: 'in', values: ['tech', 'food'] },
          ],
        ],
      },
    ]);
    expect(index.match({ interest: ['tech', 'games'], region: ['CN-BJ'] })).toEqual(['twice']);
    expect(index.match({ interest: ['games', 'food'], region: ['CN-SH'] })).toEqual(['c']);
    expect(index.match({ interest: ['food'] })).toEqual([]);
  });

  it('reports a campaign once when several of its conjunctions match', () => {
    const index = buildIndex([
      { id: 'c', targeting: [[{ attribute: 'gender', op: 'in', values: ['f'] }], [{ attribute: 'region', op: 'in', values: ['x'] }]] },
    ]);
    expect(index.match({ gender: ['f'], region: ['x'] })).toEqual(['c']);
  });

  it('evaluates conjunctions with many in predicates', () => {
    const many: Predicate[] = Array.from({ length: 40 }, (_, i) => ({ attribute: 'interest', op: 'in', values: [`i${i % 35}`, 'any'] }));
    const index = buildIndex([{ id: 'big', targeting: [many] }]);
    expect(index.match({ interest: ['any'] })).toEqual(['big']);
    expect(index.match({ interest: ['i1'] })).toEqual([]);
    expect(index.match({ interest: Array.from({ length: 35 }, (_, i) => `i${i}`) })).toEqual(['big']);
  });

  it('checks the predicates it does not post: a later in, and a not_in on a viewer value', () => {
    const index = buildIndex([
      {
        id: 'c',
        targeting: [
          [
            { attribute: 'accountId', op: 'in', values: ['acct_1'] },
            { attribute: 'adUnitId', op: 'in', values: ['unit_1'] },
            { attribute: 'gender', op: 'in', values: ['f'] },
            { attribute: 'device', op: 'not_in', values: ['tablet'] },
          ],
        ],
      },
    ]);
    const ctx = { accountId: ['acct_1'], adUnitId: ['unit_1'], gender: ['f'], device: ['mobile'] };
    expect(index.match(ctx)).toEqual(['c']);
    expect(index.match({ ...ctx, gender: ['m'] })).toEqual([]);
    expect(index.match({ ...ctx, device: ['mobile', 'tablet'] })).toEqual([]);
    expect(index.match({ ...ctx, device: undefined })).toEqual(['c']);
  });

  it('stays exact over many requests on one index (stamps are never cleared)', () => {
    const index = buildIndex([
      {
        id: 'f',
        targeting: [
          [
            { attribute: 'gender', op: 'in', values: ['f'] },
            { attribute: 'region', op: 'in', values: ['x', 'y'] },
          ],
        ],
      },
      { id: 'not-x', targeting: [[{ attribute: 'region', op: 'not_in', values: ['x'] }]] },
    ]);
    for (let i = 0; i < 1000; i++) {
      const region = i % 3 === 0 ? ['x'] : i % 3 === 1 ? ['y', 'x'] : ['z'];
      const gender = i % 2 === 0 ? ['f'] : ['m'];
      const want = [...(gender[0] === 'f' && region[0] !== 'z' ? ['f'] : []), ...(region.includes('x') ? [] : ['not-x'])];
      expect(index.match({ gender, region }).sort()).toEqual(want.sort());
    }
  });

  it('counts postings and memory for the benchmark', () => {
    const index = buildIndex([
      {
        id: 'a',
        targeting: [
          [
            { attribute: 'gender', op: 'in', values: ['f', 'm'] },
            { attribute: 'os', op: 'not_in', values: ['ios'] },
          ],
        ],
      },
      { id: 'b', targeting: [] },
    ]);
    // a is posted under its one `in` (2 values; the not_in is checked, not posted), + 1 Z entry for b.
    expect(index.stats.postings).toBe(3);
    expect(index.memoryBytes()).toBeGreaterThan(0);
  });
});
