import { createHmac, timingSafeEqual } from 'node:crypto';
import { MS_PER_SECOND } from '../shared/time.js';

/**
 * Signed, expiring tracking tokens that carry a decision to the impression and click
 * endpoints, so those endpoints can bill without a lookup and without trusting the browser.
 *
 * Format: base64url(JSON array of the fields) "." base64url(HMAC-SHA256(secret, first part)),
 * the MAC truncated to `macBytes` (RFC 2104 §5 allows truncation to at least half the hash and
 * 80 bits; 128 bits leaves forgery out of reach). A JSON array rather than an object keeps
 * tokens short; its first element is the format version.
 *
 * Verification checks the MAC (constant-time) before it trusts anything in the payload, so a
 * tampered token is `forged` even when it is also expired. Several secrets can be given for key
 * rotation: the first signs, any verifies.
 */

export type TrackingEvent = 'i' | 'c';

export interface TrackingPayload {
  decisionId: string;
  event: TrackingEvent;
  campaignId: string;
  adUnitId: string;
  /** What this event bills: the auction charge on the billed event, 0 on the other. */
  chargeMicros: number;
  /** Expiry, epoch seconds. */
  exp: number;
  /** When the decision was made, epoch ms: an impression counts only a minimum delay after it. */
  decidedAt: number;
  /** The network fingerprint the decision was asked from (fingerprint.ts): its events must come from it. */
  fingerprint: string;
  /** Who is paid and who pays, and for whom: lets the endpoints bill and count without a read. */
  ref?: TrackingRef;
}

/**
 * The rest of the decision. `viewerHash` keys the frequency counter; `landingUrl` rides only on
 * click tokens, so a click redirects where the decision said even if the creative changed since.
 */
export interface TrackingRef {
  accountId: string;
  publisherId: string;
  advertiserId: string;
  viewerHash: string;
  landingUrl?: string;
}

export type VerifyResult = { ok: true; payload: TrackingPayload } | { ok: false; reason: 'forged' | 'expired' | 'malformed' };

export const TRACKING_OPTIONS = {
  macBytes: 16,
};

export type TrackingOptions = typeof TRACKING_OPTIONS;

const FORMAT_VERSION = 2;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function mac(data: string, secret: string, macBytes: number): Buffer {
  return createHmac('sha256', secret).update(data).digest().subarray(0, macBytes);
}

export function signToken(payload: TrackingPayload, secret: string | readonly string[], options: Partial<TrackingOptions> = {}): string {
  const { macBytes } = { ...TRACKING_OPTIONS, ...options };
  const signing = typeof secret === 'string' ? secret : secret[0];
  if (signing === undefined) throw new Error('signToken needs a secret');
  const fields: unknown[] = [
    FORMAT_VERSION,
    payload.decisionId,
    payload.event,
    payload.campaignId,
    payload.adUnitId,
    payload.chargeMicros,
    payload.exp,
    payload.decidedAt,
    payload.fingerprint,
  ];
  const r = payload.ref;
  if (r !== undefined) fields.push(r.accountId, r.publisherId, r.advertiserId, r.viewerHash, r.landingUrl ?? '');
  const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${body}.${mac(body, signing, macBytes).toString('base64url')}`;
}

export function verifyToken(token: string, secret: string | readonly string[], now: Date | number, options: Partial<TrackingOptions> = {}): VerifyResult {
  const { macBytes } = { ...TRACKING_OPTIONS, ...options };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
  const body = token.slice(0, dot);
  const sig = token.slice(dot + 1);
  if (!BASE64URL.test(body) || !BASE64URL.test(sig)) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== macBytes) return { ok: false, reason: 'malformed' };

  const secrets = typeof secret === 'string' ? [secret] : secret;
  let authentic = false;
  // Check every secret, not just until the first fits, so timing does not reveal which key signed.
  for (const s of secrets) if (timingSafeEqual(mac(body, s, macBytes), given)) authentic = true;
  if (!authentic) return { ok: false, reason: 'forged' };

  const payload = parse(body);
  if (payload === undefined) return { ok: false, reason: 'malformed' };
  const nowMs = typeof now === 'number' ? now : now.getTime();
  if (nowMs >= payload.exp * MS_PER_SECOND) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

function parse(body: string): TrackingPayload | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  // Nine fields, or fourteen with the decision's reference (TrackingRef).
  if (!Array.isArray(fields) || (fields.length !== 9 && fields.length !== 14) || fields[0] !== FORMAT_VERSION) return undefined;
  const [, decisionId, event, campaignId, adUnitId, chargeMicros, exp, decidedAt, fingerprint, ...rest] = fields as unknown[];
  if (typeof decisionId !== 'string' || typeof campaignId !== 'string' || typeof adUnitId !== 'string' || typeof fingerprint !== 'string') return undefined;
  if (event !== 'i' && event !== 'c') return undefined;
  if (!Number.isSafeInteger(chargeMicros) || (chargeMicros as number) < 0 || !Number.isSafeInteger(exp) || !Number.isSafeInteger(decidedAt)) return undefined;
  const payload: TrackingPayload = {
    decisionId,
    event,
    campaignId,
    adUnitId,
    chargeMicros: chargeMicros as number,
    exp: exp as number,
    decidedAt: decidedAt as number,
    fingerprint,
  };
  if (rest.length === 0) return payload;
  if (!rest.every((f) => typeof f === 'string')) return undefined;
  const [accountId, publisherId, advertiserId, viewerHash, landingUrl] = rest as string[];
  return {
    ...payload,
    ref: {
      accountId: accountId ?? '',
      publisherId: publisherId ?? '',
      advertiserId: advertiserId ?? '',
      viewerHash: viewerHash ?? '',
      ...(landingUrl ? { landingUrl } : {}),
    },
  };
}

/**
 * The impression and click tokens for a decision: the billed event carries the charge, the
 * other carries 0 (a CPM campaign pays nothing per click, a CPC campaign nothing per impression).
 */
export function trackingTokens(
  decision: {
    decisionId: string;
    campaignId: string;
    adUnitId: string;
    chargeMicros: number;
    chargeEvent: 'impression' | 'click';
    decidedAt: number;
    fingerprint: string;
    ref?: TrackingRef;
  },
  secret: string | readonly string[],
  expiresAt: Date | number,
  options: Partial<TrackingOptions> = {},
): { impression: string; click: string } {
  const expMs = typeof expiresAt === 'number' ? expiresAt : expiresAt.getTime();
  const exp = Math.ceil(expMs / MS_PER_SECOND);
  const base = {
    decisionId: decision.decisionId,
    campaignId: decision.campaignId,
    adUnitId: decision.adUnitId,
    exp,
    decidedAt: decision.decidedAt,
    fingerprint: decision.fingerprint,
  };
  const ref = decision.ref;
  const impressionRef = ref === undefined ? {} : { ref: { ...ref, landingUrl: undefined } };
  return {
    impression: signToken(
      { ...base, ...impressionRef, event: 'i', chargeMicros: decision.chargeEvent === 'impression' ? decision.chargeMicros : 0 },
      secret,
      options,
    ),
    click: signToken(
      { ...base, ...(ref === undefined ? {} : { ref }), event: 'c', chargeMicros: decision.chargeEvent === 'click' ? decision.chargeMicros : 0 },
      secret,
      options,
    ),
  };
}
