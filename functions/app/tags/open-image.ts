import type { Deps } from '../../deps.js';
import { serveEngine } from '../serving/serve-engine.js';
import { imageDecision, tokenOf, type ImageTagRequest } from './image-decision.js';

/**
 * An open of the image tag (a reader's mail client fetching /e/i/{unit}/{key}): the decision,
 * and its impression through the serve engine's ordinary tracking, so it bills once and a
 * repeated open counts as tracking counts a replayed impression. Returns the creative's image.
 */
export async function openImage(deps: Deps, req: ImageTagRequest): Promise<{ imageUrl?: string }> {
  const decision = await imageDecision(deps, req);
  if (decision === undefined) return {};
  await serveEngine(deps).track(tokenOf(decision.impressionUrl), 'i', req.source, 'image-tag');
  return { imageUrl: decision.imageUrl };
}
