import { describe, expect, it } from 'vitest';
import { assertBookable, assertNotBooked, maySeeSlot, reviewAudience } from '../../../functions/core/marketplace/listing-rules.js';
import { ConflictError } from '../../../functions/core/shared/errors.js';

const slot = { id: 'slot_1', status: 'open' as const, publishDate: '2030-05-10', ownerTenantId: 'tnt_pub' };

describe('slot listing rules', () => {
  it('does book an open slot dated today or later, and refuse a closed, booked or past one with 409', () => {
    expect(() => assertBookable(slot, '2030-05-10')).not.toThrow();
    expect(() => assertBookable(slot, '2030-05-11')).toThrow(/before today \(2030-05-11\)/);
    expect(() => assertBookable({ ...slot, status: 'closed' }, '2030-05-01')).toThrow(/is not open/);
    expect(() => assertBookable({ ...slot, status: 'booked' }, '2030-05-01')).toThrow(ConflictError);
  });
  it('does refuse to change or delete a booked slot, and allow it otherwise', () => {
    expect(() => assertNotBooked({ ...slot, status: 'booked' }, 'changed')).toThrow('Slot slot_1 is booked; it can no longer be changed');
    expect(() => assertNotBooked({ ...slot, status: 'booked' }, 'deleted')).toThrow('Slot slot_1 is booked; it can no longer be deleted');
    expect(() => assertNotBooked({ ...slot, status: 'closed' }, 'changed')).not.toThrow();
  });
  it('does show a slot to its owner always, and to others while it is open or booked', () => {
    expect(maySeeSlot('tnt_pub', { ...slot, status: 'closed' })).toBe(true);
    expect(maySeeSlot('tnt_adv', { ...slot, status: 'closed' })).toBe(false);
    expect(maySeeSlot('tnt_adv', { ...slot, status: 'open' })).toBe(true);
    expect(maySeeSlot('tnt_adv', { ...slot, status: 'booked' })).toBe(true);
  });
});

describe('audience review', () => {
  const account = {
    id: 'acct_1',
    audience: { followers: 10, source: 'self_reported', updatedAt: '2030-01-01T00:00:00.000Z' },
    verification: { status: 'unverified' },
    updatedAt: '2030-01-01T00:00:00.000Z',
  };
  const at = '2030-02-01T00:00:00.000Z';
  const reviewed = (source: string, verification: Record<string, string>) => ({
    id: 'acct_1',
    audience: { followers: 10, source, updatedAt: at },
    verification: { ...verification, decidedAt: at },
    updatedAt: at,
  });
  it('does mark a verified audience as verified, dated at the decision', () => {
    expect(reviewAudience(account, { verdict: 'verified', note: 'checked' }, at)).toEqual(reviewed('verified', { status: 'verified', note: 'checked' }));
  });
  it('does keep a rejected audience self-reported, with the reason', () => {
    expect(reviewAudience(account, { verdict: 'rejected', reason: 'no proof' }, at)).toEqual(
      reviewed('self_reported', { status: 'rejected', reason: 'no proof' }),
    );
  });
});
