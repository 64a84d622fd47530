import { describe, expect, it } from 'vitest';
import { fingerprint, isBot, networkOf } from '../../../functions/core/serving/fingerprint.js';

/**
 * The platform's view of a source (DESIGN §9): the network (/24 of IPv4, /48 of IPv6) and the user
 * agent, hashed with a salt that changes every UTC day.
 */

const SECRET = 'a-tracking-secret-of-at-least-32-characters';
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47';
const NOON = Date.parse('2030-05-06T12:00:00Z');
const of = (address: string | undefined, userAgent: string | undefined = UA, at = NOON) => fingerprint({ address, userAgent }, SECRET, at);

describe('fingerprint', () => {
  it('is one source per /24 of IPv4 and per /48 of IPv6, however the address is written', () => {
    expect(of('203.0.113.9')).toBe(of('203.0.113.250'));
    expect(of('203.0.113.9')).not.toBe(of('203.0.114.9'));
    expect(of('::ffff:203.0.113.9')).toBe(of('203.0.113.77'));
    expect(of('2001:db8:abcd:1::1')).toBe(of('2001:0db8:abcd:ffff:1:2:3:4'));
    expect(of('2001:db8:abcd:1::1')).not.toBe(of('2001:db8:abce:1::1'));
    expect(networkOf('203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:abcd:1::1')).toBe('2001:db8:abcd::/48');
  });

  it('tells user agents apart, and keeps no part of the address or agent in what it returns', () => {
    expect(of('203.0.113.9', UA)).not.toBe(of('203.0.113.9', `${UA} Other/1.0`));
    const f = of('203.0.113.9');
    expect(f).toMatch(/^[\w-]{16}$/);
    expect(f).not.toContain('203');
  });

  it('changes with the UTC day (the salt rotates) and not within it', () => {
    expect(of('203.0.113.9', UA, NOON)).toBe(of('203.0.113.9', UA, Date.parse('2030-05-06T23:59:59Z')));
    expect(of('203.0.113.9', UA, NOON)).not.toBe(of('203.0.113.9', UA, Date.parse('2030-05-07T00:00:00Z')));
  });
});

describe('isBot', () => {
  it('names crawlers and requests without a user agent, not browsers', () => {
    expect(isBot('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')).toBe(true);
    expect(isBot('curl/8.5.0')).toBe(true);
    expect(isBot(undefined)).toBe(true);
    expect(isBot('  ')).toBe(true);
    expect(isBot(UA)).toBe(false);
  });
});
