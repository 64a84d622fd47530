import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFrequencyToken, signFrequencyToken, type Served } from '../../../functions/core/serving/frequency-token.js';

/**
 * The client-held frequency token: what a page hands back is believed only when the platform
 * signed it, for this viewer, under its current secret. The oracle for a forgery is a token
 * built by hand with the documented format and a key the platform does not hold.
 */

const SERVED: Served[] = [
  ['cmp_a', 1_700_000_000],
  ['cmp_b', 1_700_000_100],
];

describe('frequency token', () => {
  it('reads back what it was signed with, for the same viewer and secret', () => {
    const token = signFrequencyToken('viewer-1', SERVED, 'secret-one');
    expect(readFrequencyToken(token, 'viewer-1', 'secret-one')).toEqual(SERVED);
  });

  it('says nothing about another viewer, under another secret, or when altered', () => {
    const token = signFrequencyToken('viewer-1', SERVED, 'secret-one');
    expect(readFrequencyToken(token, 'viewer-2', 'secret-one')).toEqual([]);
    // Signed under one secret and read under another, in both orders: the derived key follows the secret.
    expect(readFrequencyToken(token, 'viewer-1', 'secret-two')).toEqual([]);
    const other = signFrequencyToken('viewer-1', SERVED, 'secret-two');
    expect(readFrequencyToken(other, 'viewer-1', 'secret-one')).toEqual([]);
    expect(readFrequencyToken(other, 'viewer-1', 'secret-two')).toEqual(SERVED);
    const [body, sig] = token.split('.') as [string, string];
    const fewer = Buffer.from(JSON.stringify([1, 'viewer-1', SERVED.slice(1)])).toString('base64url');
    expect(readFrequencyToken(`${fewer}.${sig}`, 'viewer-1', 'secret-one')).toEqual([]);
    expect(readFrequencyToken(`${body}.${sig}.x`, 'viewer-1', 'secret-one')).toEqual([]);
    expect(readFrequencyToken(undefined, 'viewer-1', 'secret-one')).toEqual([]);
  });

  it('refuses a well-formed token signed with the secret itself instead of the derived key', () => {
    const body = Buffer.from(JSON.stringify([1, 'viewer-1', []])).toString('base64url');
    const sig = createHmac('sha256', 'secret-one').update(body).digest().subarray(0, 16).toString('base64url');
    expect(readFrequencyToken(`${body}.${sig}`, 'viewer-1', 'secret-one')).toEqual([]);
  });
});
