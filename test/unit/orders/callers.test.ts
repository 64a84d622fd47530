import { describe, expect, it } from 'vitest';
import { maySee, orderList, reopensSlot } from '../../../functions/core/orders/callers.js';
import { ValidationError } from '../../../functions/core/shared/errors.js';

const order = { advertiserId: 'tnt_adv', publisherId: 'tnt_pub' };

describe('who may see an order', () => {
  it('does show an order to its two parties, the operator and the jobs, and to no other tenant', () => {
    expect(maySee({ role: 'advertiser', tenantId: 'tnt_adv' }, order)).toBe(true);
    expect(maySee({ role: 'publisher', tenantId: 'tnt_pub' }, order)).toBe(true);
    expect(maySee({ role: 'admin', tenantId: 'tnt_ops' }, order)).toBe(true);
    expect(maySee({ role: 'system' }, order)).toBe(true);
    expect(maySee({ role: 'advertiser', tenantId: 'tnt_other' }, order)).toBe(false);
    expect(maySee({ role: 'publisher', tenantId: 'tnt_other' }, order)).toBe(false);
    // The publisher of the order acting as an advertiser is another tenant's view of it.
    expect(maySee({ role: 'advertiser', tenantId: 'tnt_pub' }, order)).toBe(false);
  });
});

describe('when a slot reopens', () => {
  it('does give the slot back when the post never ran (rejected, expired, cancelled) and keep it otherwise', () => {
    for (const state of ['rejected', 'expired', 'cancelled'] as const) expect(reopensSlot({ state })).toBe(true);
    for (const state of ['requested', 'accepted', 'in_review', 'scheduled', 'published', 'disputed', 'completed', 'refunded', 'partially_refunded'] as const)
      expect(reopensSlot({ state })).toBe(false);
  });
});

describe('which orders a caller lists', () => {
  it('does list a tenant’s own orders and the operator’s dispute queue, refusing another state for the operator', () => {
    expect(orderList({ role: 'advertiser', tenantId: 'tnt_adv' }, 'accepted')).toEqual({ of: 'tenant', tenantId: 'tnt_adv', state: 'accepted' });
    expect(orderList({ role: 'admin', tenantId: 'tnt_ops' }, undefined)).toEqual({ of: 'disputed' });
    expect(orderList({ role: 'admin', tenantId: 'tnt_ops' }, 'disputed')).toEqual({ of: 'disputed' });
    expect(() => orderList({ role: 'admin', tenantId: 'tnt_ops' }, 'accepted')).toThrow(ValidationError);
  });
});
