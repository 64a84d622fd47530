import { describe, expect, it } from 'vitest';
import { applyAccountEdit } from '../../../functions/core/marketplace/account.js';
import { ValidationError } from '../../../functions/core/shared/errors.js';
import { anAccount } from './fixtures.js';

const account = { ...anAccount(), verification: { status: 'verified' }, updatedAt: '2025-02-01T00:00:00.000Z' };
const at = '2025-03-01T00:00:00.000Z';

describe('applyAccountEdit', () => {
  it('does trim text as the API does, whoever calls it', () => {
    const next = applyAccountEdit(account, { name: '  Account A, renamed  ', handle: ' acct_a2 ' }, at);
    expect(next.name).toBe('Account A, renamed');
    expect(next.handle).toBe('acct_a2');
  });

  it('does refuse what the API refuses: a blank name, a handle over 100 characters, an unknown region', () => {
    const refused = (edit: Parameters<typeof applyAccountEdit>[1]) => {
      try {
        applyAccountEdit(account, edit, at);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).errors.map((i) => i.field);
      }
      return [];
    };
    expect(refused({ name: '   ' })).toEqual(['name']);
    expect(refused({ handle: 'h'.repeat(101) })).toEqual(['handle']);
    expect(refused({ audience: { region: { 'US-CA': 0.5 } } })).toEqual(['audience.region.US-CA']);
  });

  it('does make an audience change self-reported and unverified again, and keep a description change verified', () => {
    expect(applyAccountEdit(account, { audience: { followers: 1 } }, at)).toMatchObject({
      verification: { status: 'unverified' },
      audience: { source: 'self_reported' },
    });
    expect(applyAccountEdit(account, { description: 'New words' }, at)).toMatchObject({ verification: { status: 'verified' }, description: 'New words' });
  });
});
