import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors.js';

/**
 * List cursors as clients see them: the store's own cursor, an expiry and an HMAC over both and
 * the list they belong to (`scope`: the caller and the exact list). A cursor from another list or
 * tenant, an expired one, or one that was changed fails the MAC or the expiry and is refused with
 * a 400, so nothing a client sends as a cursor reaches the table unchecked.
 */

const MAC_BYTES = 16;

const mac = (key: string, scope: string, payload: string): Buffer =>
  createHmac('sha256', key).update(`placard-cursor\n${scope}\n${payload}`).digest().subarray(0, MAC_BYTES);

export function sealCursor(key: string, scope: string, cursor: string, expiresAtMs: number): string {
  const payload = Buffer.from(JSON.stringify([cursor, expiresAtMs])).toString('base64url');
  return `${payload}.${mac(key, scope, payload).toString('base64url')}`;
}

/** The store cursor inside a sealed one; a ValidationError (400) for anything else. */
export function openCursor(key: string, scope: string, sealed: string, nowMs: number): string {
  const refuse = (message: string): never => {
    throw new ValidationError('Invalid cursor', [{ field: 'cursor', message }]);
  };
  const [payload, signature, extra] = sealed.split('.');
  if (!payload || !signature || extra !== undefined) return refuse('is not a cursor this API returned');
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, scope, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('is not a cursor of this list for this caller');
  const [cursor, expiresAtMs] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, number];
  if (nowMs > expiresAtMs) return refuse('has expired; start again from the first page');
  return cursor;
}
