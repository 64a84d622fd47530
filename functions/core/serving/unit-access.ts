import { randomBytes } from 'node:crypto';
import { hashApiKey } from '../tenants/tenants.js';

/**
 * Where an ad unit may serve (DESIGN §9). A browser's decision names its page by `Origin` (or
 * `Referer`); a unit with a non-empty `allowedOrigins` list answers only pages on those origins,
 * and an empty list accepts any (the default, so a new unit works before it is configured). A
 * server-to-server caller has no page: it sends the unit's secret server key instead, which
 * skips the origin check. The key is shown once; the unit keeps only its SHA-256.
 */

export interface UnitAccessRules {
  allowedOrigins?: readonly string[];
  serverKeyHash?: string;
}

export type UnitAccess = 'browser' | 'server' | 'wrong_origin' | 'bad_key';

const KEY_PREFIX = 'plu_';
const KEY_BYTES = 32;
const SHOWN_PREFIX_LENGTH = 8;

export function unitAccess(unit: UnitAccessRules, request: { origin: string | undefined; serverKey: string | undefined }): UnitAccess {
  if (request.serverKey !== undefined) return unit.serverKeyHash !== undefined && hashApiKey(request.serverKey) === unit.serverKeyHash ? 'server' : 'bad_key';
  const allowed = unit.allowedOrigins ?? [];
  if (allowed.length === 0) return 'browser';
  return request.origin !== undefined && allowed.includes(request.origin.toLowerCase()) ? 'browser' : 'wrong_origin';
}

/** A new server key for a unit (shown once) and what the unit stores of it. */
export function generateUnitKey(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + SHOWN_PREFIX_LENGTH) };
}
