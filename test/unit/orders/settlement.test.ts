import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBalanced } from '../../../functions/core/ledger/ledger.js';
import { settle, shortfallRefundMicros } from '../../../functions/core/orders/settlement.js';
import { act, anAdCardInput, anOrderInput, orderIn } from './builders.js';

const parties = { advertiserId: 'tnt_adv', publisherId: 'tnt_pub' };

describe('settle', () => {
  it('does round the fee down and give the owner the rest (999 micros at 10 % → fee 99, owner 900)', () => {
    expect(settle({ ...parties, heldMicros: 999, feeBps: 1000 }, 0).settlement).toEqual({
      refundedMicros: 0,
      capturedMicros: 999,
      ownerMicros: 900,
      feeMicros: 99,
    });
  });

  it('does charge the fee on what is captured, not on the refund', () => {
    expect(settle({ ...parties, heldMicros: 1_000, feeBps: 1000 }, 1).settlement).toEqual({
      refundedMicros: 1,
      capturedMicros: 999,
      ownerMicros: 900,
      feeMicros: 99,
    });
  });

  it('does refuse a refund beyond what is held', () => {
    expect(() => settle({ ...parties, heldMicros: 10, feeBps: 1000 }, 11)).toThrow(RangeError);
    expect(() => settle({ ...parties, heldMicros: 10, feeBps: 1000 }, -1)).toThrow(RangeError);
  });

  it('does always balance and add up to what was held', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        (held, share, feeBps) => {
          const refund = Math.floor(held * share);
          const { postings, settlement: s } = settle({ ...parties, heldMicros: held, feeBps }, Math.min(refund, held));
          expect(isBalanced(postings)).toBe(true);
          expect(s.refundedMicros + s.capturedMicros).toBe(held);
          expect(s.ownerMicros + s.feeMicros).toBe(s.capturedMicros);
          expect(s.feeMicros).toBe(Number((BigInt(s.capturedMicros) * BigInt(feeBps)) / 10_000n));
        },
      ),
    );
  });
});

describe('shortfallRefundMicros', () => {
  it.each([
    // price, committed, reads, refund
    [1_000_000, 1_000, 1_000, 0],
    [1_000_000, 1_000, 5_000, 0],
    [1_000_000, 1_000, 750, 250_000],
    [1_000_000, 1_000, 0, 1_000_000],
    [1_000_000, 3, 1, 666_666], // 666 666.67 rounded down
    [1_000_000, 3, 2, 333_333],
    [999, 1_000, 999, 0], // 0.999 micro rounds to nothing
    [7, 2, 1, 3],
  ])('does refund price %i × shortfall for %i committed and %i read as %i', (price, committed, reads, refund) => {
    expect(shortfallRefundMicros(price, committed, reads)).toBe(refund);
  });

  it('does refund nothing when nothing was committed or reads are unknown', () => {
    expect(shortfallRefundMicros(1_000, undefined, 0)).toBe(0);
    expect(shortfallRefundMicros(1_000, 100, undefined)).toBe(0);
  });

  it('does stay exact for amounts whose product passes 2^53', () => {
    expect(shortfallRefundMicros(9_000_000_000_000_000, 1_000_000, 1)).toBe(8_999_991_000_000_000);
  });

  it('does never refund more than the exact share, nor a micro less than its floor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e12 }), fc.integer({ min: 1, max: 1e7 }), fc.integer({ min: 0, max: 2e7 }), (price, committed, reads) => {
        const refund = shortfallRefundMicros(price, committed, reads);
        const exact = BigInt(price) * BigInt(Math.max(0, committed - reads));
        expect(BigInt(refund) * BigInt(committed) <= exact).toBe(true);
        expect((BigInt(refund) + 1n) * BigInt(committed) > exact).toBe(true);
        expect(refund).toBeLessThanOrEqual(price);
      }),
    );
  });
});

describe('completion money', () => {
  it('does pay a 999-micro custom article as 900 to the owner and 99 to the platform', () => {
    const order = orderIn('published', anOrderInput({ priceMicros: 999 }));
    expect(act(order, 'confirm', undefined, 'advertiser').order.settlement).toEqual({
      refundedMicros: 0,
      capturedMicros: 999,
      ownerMicros: 900,
      feeMicros: 99,
    });
  });

  it('does use the fee rate fixed at booking, not a later one', () => {
    const order = { ...orderIn('published', anOrderInput({ priceMicros: 1_000 })), feeBps: 500 };
    expect(act(order, 'confirm', undefined, 'advertiser').order.settlement).toMatchObject({ feeMicros: 50, ownerMicros: 950 });
  });

  it('does refund an ad card that reached no one in full, capturing nothing', () => {
    const order = orderIn('scheduled', anAdCardInput({ priceMicros: 5_000, committedReads: 100 }));
    const published = act(order, 'publish', { postUrl: 'https://x.example/p', publishedAt: order.updatedAt, reads: 0 }, 'owner').order;
    const r = act(published, 'confirm', undefined, 'advertiser');
    expect(r.order).toMatchObject({
      state: 'completed',
      heldMicros: 0,
      settlement: { refundedMicros: 5_000, capturedMicros: 0, ownerMicros: 0, feeMicros: 0 },
    });
    expect(isBalanced(r.postings)).toBe(true);
  });
});
