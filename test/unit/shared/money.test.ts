import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitFee } from '../../../functions/core/shared/money.js';

describe('splitFee', () => {
  it('does round the fee down to the micro and give the owner the rest', () => {
    expect(splitFee(999, 1000)).toEqual({ feeMicros: 99, ownerMicros: 900 });
    expect(splitFee(9, 1000)).toEqual({ feeMicros: 0, ownerMicros: 9 });
    expect(splitFee(1_000_000, 1000)).toEqual({ feeMicros: 100_000, ownerMicros: 900_000 });
    expect(splitFee(12_345, 0)).toEqual({ feeMicros: 0, ownerMicros: 12_345 });
    expect(splitFee(12_345, 10_000)).toEqual({ feeMicros: 12_345, ownerMicros: 0 });
  });

  it('does stay exact where amount × rate passes 2^53', () => {
    expect(splitFee(Number.MAX_SAFE_INTEGER, 1000)).toEqual({ feeMicros: 900719925474099, ownerMicros: Number.MAX_SAFE_INTEGER - 900719925474099 });
  });

  it('does always add up to the amount, with the fee at most the exact share and less than a micro under it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const { feeMicros, ownerMicros } = splitFee(amount, bps);
        const exact = (BigInt(amount) * BigInt(bps)) as bigint;
        expect(feeMicros + ownerMicros).toBe(amount);
        expect(BigInt(feeMicros) * 10_000n <= exact && exact < (BigInt(feeMicros) + 1n) * 10_000n).toBe(true);
        expect(Number.isSafeInteger(feeMicros) && feeMicros >= 0 && ownerMicros >= 0).toBe(true);
      }),
    );
  });
});
