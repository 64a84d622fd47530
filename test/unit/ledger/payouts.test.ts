import { describe, expect, it } from 'vitest';
import { requestedPayout, settledPayout } from '../../../functions/core/ledger/payouts.js';
import { ConflictError } from '../../../functions/core/shared/errors.js';

const now = new Date('2030-01-15T00:00:00Z');
const { payout, lines } = requestedPayout({ id: 'pay_1', publisherId: 'ten_pub', amountMicros: 7_000_000, currency: 'CNY', now });
const sum = (ls: { amountMicros: number }[]) => ls.reduce((s, l) => s + l.amountMicros, 0);

describe('payouts (the rule that left store/payouts.ts)', () => {
  it('does request a payout whose postings balance', () => {
    expect(payout).toMatchObject({ status: 'requested', amountMicros: 7_000_000, createdAt: '2030-01-15T00:00:00.000Z' });
    expect(sum(lines)).toBe(0);
  });
  it('does settle a requested payout paid or failed, with balanced postings', () => {
    for (const outcome of ['paid', 'failed'] as const) {
      const settled = settledPayout(payout, outcome, now);
      expect(settled.payout.status).toBe(outcome);
      expect(sum(settled.lines)).toBe(0);
    }
  });
  it('does refuse to settle a payout that is no longer requested (409)', () => {
    const paid = settledPayout(payout, 'paid', now).payout;
    expect(() => settledPayout(paid, 'failed', now)).toThrow(ConflictError);
  });
});
