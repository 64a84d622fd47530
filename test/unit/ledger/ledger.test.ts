import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountTenant, isBalanced, mayGoNegative, normalise, postings, replay, type Posting } from '../../../functions/core/ledger/ledger.js';

const amount = fc.integer({ min: 1, max: 1e12 });
const tenant = fc.constantFrom('tnt_a', 'tnt_b');

describe('ledger postings', () => {
  it('balances every movement the platform makes', () => {
    fc.assert(
      fc.property(tenant, tenant, amount, fc.integer({ min: 0, max: 10_000 }), (adv, pub, micros, feeBps) => {
        for (const lines of [
          postings.deposit(adv, micros),
          postings.hold(adv, micros),
          postings.release(adv, micros),
          postings.capture(adv, pub, micros, feeBps),
          postings.requestPayout(pub, micros),
          postings.payoutPaid(pub, micros),
          postings.payoutFailed(pub, micros),
        ]) {
          expect(isBalanced(lines)).toBe(true);
        }
      }),
    );
  });

  it('captures the fee rounded down, the rest to the owner', () => {
    expect(postings.capture('tnt_a', 'tnt_p', 999, 1000)).toEqual([
      { account: 'advertiser:tnt_a:held', amountMicros: -999 },
      { account: 'publisher:tnt_p:earned', amountMicros: 900 },
      { account: 'platform:revenue', amountMicros: 99 },
    ]);
  });

  it('refuses unbalanced or fractional postings', () => {
    expect(
      isBalanced([
        { account: 'platform:cash', amountMicros: -5 },
        { account: 'advertiser:t:available', amountMicros: 4 },
      ]),
    ).toBe(false);
    expect(
      isBalanced([
        { account: 'platform:cash', amountMicros: -0.5 },
        { account: 'advertiser:t:available', amountMicros: 0.5 },
      ]),
    ).toBe(false);
  });
});

describe('normalise', () => {
  it('merges lines of one account and drops zero lines, keeping the sum', () => {
    const lines: Posting[] = [...postings.hold('t', 100), ...postings.release('t', 40), ...postings.release('t', 60)];
    expect(normalise(lines)).toEqual([]);
    const partial = normalise([...postings.hold('t', 100), ...postings.release('t', 40)]);
    expect(partial).toEqual([
      { account: 'advertiser:t:available', amountMicros: -60 },
      { account: 'advertiser:t:held', amountMicros: 60 },
    ]);
  });
});

describe('replay and accounts', () => {
  it('replays transactions into balances that sum to zero', () => {
    const balances = replay([
      { postings: postings.deposit('a', 500) },
      { postings: postings.hold('a', 200) },
      { postings: postings.capture('a', 'p', 200, 1000) },
    ]);
    expect(Object.fromEntries(balances)).toEqual({
      'platform:cash': -500,
      'advertiser:a:available': 300,
      'advertiser:a:held': 0,
      'publisher:p:earned': 180,
      'platform:revenue': 20,
    });
    expect([...balances.values()].reduce((s, v) => s + v, 0)).toBe(0);
  });

  it('names each account’s tenant, and lets only platform cash go negative', () => {
    expect(accountTenant('advertiser:tnt_x:held')).toBe('tnt_x');
    expect(accountTenant('platform:revenue')).toBeUndefined();
    expect(mayGoNegative('platform:cash')).toBe(true);
    expect(mayGoNegative('advertiser:tnt_x:available')).toBe(false);
  });
});
