import type { Deps } from '../../deps.js';
import { serveEngine } from '../serving/serve-engine.js';
import { imageDecision, tokenOf, type ImageTagRequest } from './image-decision.js';

/**
 * A click on the image tag (/e/c/{unit}/{key}): the recipient's decision (the open's, or a new
 * one when the click comes first) and its click through the serve engine's ordinary tracking —
 * billed once, and only after an open. Returns where the reader goes.
 */
export async function clickImage(deps: Deps, req: ImageTagRequest): Promise<{ landingUrl?: string }> {
  const decision = await imageDecision(deps, req);
  if (decision === undefined) return {};
  const { landingUrl } = await serveEngine(deps).track(tokenOf(decision.clickUrl), 'c', req.source, 'image-tag');
  return landingUrl === undefined ? {} : { landingUrl };
}
