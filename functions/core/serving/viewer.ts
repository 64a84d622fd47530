import type { Viewer } from './inputs.js';
import { createHash } from 'node:crypto';
import { localTime } from './pacing.js';
import type { TargetingContext } from './targeting.js';

/**
 * What the serve path derives from a request's viewer: a pseudonymous key for frequency
 * counters, the targeting context, and the local date for daily budgets.
 */

/** The bytes of SHA-256 kept: 128 bits, so distinct viewers do not share counters in practice. */
const VIEWER_HASH_BYTES = 16;

/** The page hashes its viewer id already; hashing again keeps raw ids out of the table and of tokens. */
export function viewerHash(viewerId: string): string {
  return createHash('sha256').update(viewerId).digest().subarray(0, VIEWER_HASH_BYTES).toString('base64url');
}

/** The viewer's targeting attributes, as a caller sends them (inputs.ts) or the headers give them. */
export type ViewerInput = Omit<Viewer, 'id'>;

export function viewerContext(v: ViewerInput): TargetingContext {
  const ctx: Record<string, readonly string[]> = {};
  if (v.region !== undefined) ctx.region = [v.region];
  if (v.gender !== undefined) ctx.gender = [v.gender];
  if (v.ageBand !== undefined) ctx.ageBand = [v.ageBand];
  if (v.interests !== undefined && v.interests.length > 0) ctx.interest = v.interests;
  if (v.device !== undefined) ctx.device = [v.device];
  if (v.os !== undefined) ctx.os = [v.os];
  return ctx;
}

/** The local calendar date (YYYY-MM-DD) in a zone: the key of a campaign's daily spend. */
export function localDate(at: Date | number, timeZone: string): string {
  const t = localTime(typeof at === 'number' ? at : at.getTime(), timeZone);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}
