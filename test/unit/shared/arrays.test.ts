import { describe, expect, it } from 'vitest';
import { chunksOf } from '../../../functions/core/shared/arrays.js';

describe('chunksOf', () => {
  it('keeps every item once, in order, in runs of at most the size', () => {
    const items = Array.from({ length: 53 }, (_, i) => i);
    const chunks = chunksOf(items, 25);
    expect(chunks.map((c) => c.length)).toEqual([25, 25, 3]);
    expect(chunks.flat()).toEqual(items);
    expect(chunksOf([], 25)).toEqual([]);
  });

  it('refuses a size that would never end or split nothing', () => {
    expect(() => chunksOf([1], 0)).toThrow(RangeError);
    expect(() => chunksOf([1], 1.5)).toThrow(RangeError);
  });
});
