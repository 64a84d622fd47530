import { describe, expect, it } from 'vitest';
import { ledgerAccountsOf, ledgerOwnerOf, newDeposit, walletOf } from '../../../functions/core/ledger/wallet.js';
import { NotFoundError } from '../../../functions/core/shared/errors.js';
import type { Tenant } from '../../../functions/core/tenants/tenants.js';

const now = new Date('2030-01-15T00:00:00Z');
const tenant = (role: Tenant['role']): Tenant => ({ id: 'tnt_1', role, name: 'T', email: 't@example.com', createdAt: '2030-01-01T00:00:00.000Z' });
const input = { id: 'dep_1', advertiserId: 'tnt_1', amountMicros: 5, reference: 'wire 7', now };

describe('wallet rules (the decisions that left store/wallet.ts)', () => {
  it('records a deposit to an advertiser: platform cash → available', () => {
    expect(newDeposit(tenant('advertiser'), input)).toEqual({
      deposit: { id: 'dep_1', advertiserId: 'tnt_1', amountMicros: 5, reference: 'wire 7', createdAt: '2030-01-15T00:00:00.000Z' },
      lines: [
        { account: 'platform:cash', amountMicros: -5 },
        { account: 'advertiser:tnt_1:available', amountMicros: 5 },
      ],
    });
  });
  it('takes deposits for advertisers only (404 for a publisher, the operator or no tenant)', () => {
    for (const who of [tenant('publisher'), tenant('admin'), undefined]) expect(() => newDeposit(who, input)).toThrow(NotFoundError);
  });
  it('shows each role its own balances, and the operator the platform’s', () => {
    expect(ledgerAccountsOf('advertiser', 'tnt_1')).toEqual(['advertiser:tnt_1:available', 'advertiser:tnt_1:held']);
    expect(ledgerAccountsOf('admin', 'tnt_op')).toEqual(['platform:revenue', 'platform:cash']);
    expect([ledgerOwnerOf('publisher', 'tnt_1'), ledgerOwnerOf('admin', 'tnt_op')]).toEqual(['tnt_1', 'platform']);
    const balances = new Map([['publisher:tnt_1:earned', 9] as const, ['publisher:tnt_2:earned', 4] as const]);
    expect(walletOf('publisher', 'tnt_1', balances)).toEqual({ pendingMicros: 0, earnedMicros: 9, pendingPayoutMicros: 0, paidMicros: 0 });
  });
});
