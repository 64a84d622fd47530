import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { isbot } from 'isbot';
import { MS_PER_DAY } from '../shared/time.js';

/**
 * The platform's own view of where a request comes from (DESIGN §9): the source address, cut to
 * its network (/24 for IPv4, /48 for IPv6, so one household or one carrier-grade NAT pool is
 * one source and no single address is kept), plus the user agent, hashed with a salt that
 * changes every UTC day. The salt is derived from the tracking secret and the date, so every
 * instance computes the same fingerprint without sharing state, and yesterday's fingerprints
 * cannot be linked to today's. Neither the address nor the salt is ever stored or logged.
 */

/** What the platform saw of a request: its source address (never stored) and user agent. */
export interface RequestSource {
  address: string | undefined;
  userAgent: string | undefined;
}

/** 96 bits: collisions between distinct sources stay out of reach, and tokens stay short. */
const FINGERPRINT_BYTES = 12;

/** The network an address belongs to: /24 of IPv4 (IPv4-mapped IPv6 too), /48 of IPv6; '' when unknown. */
export function networkOf(address: string | undefined): string {
  if (address === undefined) return '';
  const plain = address.replace(/%.*$/, '');
  const v4 = plain.toLowerCase().startsWith('::ffff:') && isIPv4(plain.slice(7)) ? plain.slice(7) : plain;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(plain)) return '';
  const [head = '', tail] = plain.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 3)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/48`;
}

/** The last salt made (a request's decision and its events are nearly always on one day): one HMAC a day, not one a request. */
let lastSalt = { secret: '', day: Number.NaN, salt: '' };

/** The day's salt: HMAC of the date (UTC) under the tracking secret. */
function daySalt(secret: string, at: number): string {
  const day = Math.floor(at / MS_PER_DAY);
  if (lastSalt.day !== day || lastSalt.secret !== secret) {
    const salt = createHmac('sha256', secret)
      .update(`fingerprint:${new Date(day * MS_PER_DAY).toISOString().slice(0, 10)}`)
      .digest('base64url');
    lastSalt = { secret, day, salt };
  }
  return lastSalt.salt;
}

/**
 * The fingerprint of a request from `address` with `userAgent`, salted for the UTC day of `at`
 * (epoch ms). An event is checked with its decision's day, so a decision at 23:59 and its
 * impression at 00:01 agree.
 */
export function fingerprint(source: RequestSource, secret: string, at: number): string {
  return createHmac('sha256', daySalt(secret, at))
    .update(`${networkOf(source.address)}\n${source.userAgent ?? ''}`)
    .digest()
    .subarray(0, FINGERPRINT_BYTES)
    .toString('base64url');
}

/** Known bots and crawlers (the `isbot` list), and anything that sends no user agent. */
export function isBot(userAgent: string | undefined): boolean {
  return userAgent === undefined || userAgent.trim() === '' || isbot(userAgent);
}
