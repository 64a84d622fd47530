import type { RequestSource } from '../../core/serving/fingerprint.js';
import { viewerHash, type ViewerInput } from '../../core/serving/viewer.js';
import type { Deps } from '../../deps.js';
import { getImageTagDecision, putImageTagDecision, type ImageTagDecision } from '../../store/image-tags.js';
import { serveEngine } from '../serving/serve-engine.js';
import { MS_PER_SECOND, SECONDS_PER_HOUR } from '../../core/shared/time.js';

/**
 * The image tag's decision for one unit and one recipient key: the stored one, or a new one.
 *
 * 1. Read the item keyed by unit and hashed key; a live one is the answer (a repeated open, or
 *    the click after the open), so both URLs of one recipient resolve to the same decision.
 * 2. Otherwise decide as for any page (the recipient key is the viewer id) and store the decision
 *    with its signed tracking URLs, unless a concurrent request stored one first.
 * No ad → nothing stored: a later open may still find one.
 */

export interface ImageTagRequest {
  adUnitId: string;
  key: string;
  /** What the request's headers say about the reader (device, OS, region). */
  viewer: ViewerInput;
  /** Who sent the request, as the platform saw it: rate limits and the bot rule apply to it. */
  source: RequestSource;
}

export async function imageDecision(deps: Deps, req: ImageTagRequest): Promise<ImageTagDecision | undefined> {
  const now = deps.clock();
  const viewerId = `${req.adUnitId}:${req.key}`;
  const keyHash = viewerHash(viewerId);
  const stored = await getImageTagDecision(deps.db, req.adUnitId, keyHash, now);
  if (stored !== undefined) return stored;
  // An image request names no page: there is no origin to hold to the unit's list.
  const decision = await serveEngine(deps).decide(
    { adUnitId: req.adUnitId, viewer: { ...req.viewer, id: viewerId } },
    { ...req.source, origin: undefined, serverKey: undefined },
  );
  if (decision.ad === null) return undefined;
  // No later than the tokens' own expiry, which the engine sets from its clock a moment after this.
  const expiresAt = Math.floor(now.getTime() / MS_PER_SECOND) + deps.config.TRACKING_TOKEN_TTL_HOURS * SECONDS_PER_HOUR;
  const { impressionUrl, clickUrl, creative } = decision.ad;
  return putImageTagDecision(deps.db, req.adUnitId, keyHash, { impressionUrl, clickUrl, imageUrl: creative.imageUrl, expiresAt }, now);
}

/** The signed token at the end of a tracking URL. */
export const tokenOf = (trackingUrl: string): string => trackingUrl.slice(trackingUrl.lastIndexOf('/') + 1);
