import type { TrackingPayload } from './tracking.js';

/**
 * The checks a genuine, unexpired tracking event passes before it may bill (DESIGN §9), pure:
 * - `bot`: a known bot or crawler, or no user agent, sent it;
 * - `fingerprint_mismatch`: it comes from another source than its decision did;
 * - `too_fast`: an impression sooner than `minImpressionDelayMs` after its decision — no page
 *   renders and shows an ad that fast. The token's expiry bounds the other end (tracking.ts).
 * A click needs its impression first: billing checks that (the impression's record must exist).
 */

export type EventInvalidReason = 'bot' | 'fingerprint_mismatch' | 'too_fast';

export interface EventSource {
  /** The request's fingerprint, salted for the day of the decision (fingerprint.ts). */
  fingerprint: string;
  bot: boolean;
}

export function eventValidity(payload: TrackingPayload, source: EventSource, now: number, minImpressionDelayMs: number): EventInvalidReason | undefined {
  if (source.bot) return 'bot';
  if (source.fingerprint !== payload.fingerprint) return 'fingerprint_mismatch';
  if (payload.event === 'i' && now - payload.decidedAt < minImpressionDelayMs) return 'too_fast';
  return undefined;
}
