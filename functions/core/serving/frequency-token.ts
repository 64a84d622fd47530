import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FrequencyCap } from './frequency.js';
import { MS_PER_HOUR, MS_PER_SECOND } from '../shared/time.js';

/**
 * The client-held frequency token (DESIGN §8, "decisions read nothing"): the decisions a viewer
 * was served for frequency-capped campaigns, signed, handed to the page with each ad and sent
 * back with the next decision request. With it (and the instance's own recent decisions for the
 * viewer), a warm decision checks caps without reading the viewer's item. It is an optimisation,
 * not the rule: a page that drops its token sees more ads offered, never billed past the cap —
 * the billing write enforces caps exactly.
 *
 * Format: base64url(JSON [version, viewerHash, [[campaignId, decidedAtSeconds], …]]) "."
 * base64url(HMAC-SHA256 truncated to 16 bytes) under a key derived from the tracking secret.
 * Bound to the viewer, so one viewer's token says nothing about another's. Entries leave the
 * token when their cap's window has passed, and it keeps at most `maxEntries`, newest first.
 */

export type Served = readonly [campaignId: string, decidedAtSeconds: number];

const VERSION = 1;
const MAC_BYTES = 16;
export const FREQUENCY_TOKEN_OPTIONS = { maxEntries: 50 };

/** The token's key, derived from the tracking secret once (not one HMAC more per sign and per read). */
let derived: { secret: string; key: string } | undefined;
const keyFor = (secret: string): string => {
  if (derived?.secret !== secret) derived = { secret, key: createHmac('sha256', secret).update('frequency-token').digest('base64url') };
  return derived.key;
};
const mac = (body: string, secret: string): Buffer => createHmac('sha256', keyFor(secret)).update(body).digest().subarray(0, MAC_BYTES);

export function signFrequencyToken(viewerHash: string, served: readonly Served[], secret: string): string {
  const body = Buffer.from(JSON.stringify([VERSION, viewerHash, served])).toString('base64url');
  return `${body}.${mac(body, secret).toString('base64url')}`;
}

/** The entries of a genuine token for this viewer; nothing for anything else. */
export function readFrequencyToken(token: string | undefined, viewerHash: string, secret: string): Served[] {
  if (token === undefined) return [];
  const [body, sig, extra] = token.split('.');
  if (body === undefined || sig === undefined || extra !== undefined) return [];
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(body, secret))) return [];
  try {
    const [version, viewer, served] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    if (version !== VERSION || viewer !== viewerHash || !Array.isArray(served)) return [];
    return served.filter((s): s is Served => Array.isArray(s) && typeof s[0] === 'string' && Number.isSafeInteger(s[1]));
  } catch {
    return [];
  }
}

/** Entries still inside their campaign's cap window at `now` (epoch ms); uncapped or unknown campaigns drop out. */
export function liveServed(served: readonly Served[], capOf: (campaignId: string) => FrequencyCap | null | undefined, now: number): Served[] {
  return served.filter(([id, at]) => {
    const cap = capOf(id);
    return cap != null && at * MS_PER_SECOND > now - cap.perHours * MS_PER_HOUR;
  });
}

/** Decisions per campaign: the larger of two views (the token, the instance's memory), each complete for what it saw. */
export function servedCounts(...views: readonly (readonly Served[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const view of views) {
    const own = new Map<string, number>();
    for (const [id] of view) own.set(id, (own.get(id) ?? 0) + 1);
    for (const [id, n] of own) counts.set(id, Math.max(n, counts.get(id) ?? 0));
  }
  return counts;
}

/** The token's entries after one more decision: newest first, at most `maxEntries`. */
export function withServed(served: readonly Served[], campaignId: string, now: number, maxEntries = FREQUENCY_TOKEN_OPTIONS.maxEntries): Served[] {
  return [[campaignId, Math.floor(now / MS_PER_SECOND)] as const, ...served].slice(0, maxEntries);
}
