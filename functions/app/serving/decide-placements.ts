import type { Deps } from '../../deps.js';
import type { PlacementsRequest } from '../../core/serving/inputs.js';
import { serveEngine, type DecisionCaller, type DecisionResponse } from './serve-engine.js';

/**
 * Several ad units on one page, in one request (the JavaScript tag's call).
 *
 * 1. For each placement in order, the ordinary single-unit decision, told which campaigns may not
 *    win: those already chosen for this page (and, with `uniqueAdvertisers`, every campaign of
 *    their advertisers). So no campaign shows twice on a page.
 * 2. Each answer carries its unit's size, and when there is no ad the owner's fallback HTML, so
 *    the tag renders without asking again. Units and campaigns come from the engine's caches:
 *    N placements cost no more reads than N single decisions.
 * 3. The viewer's frequency token goes from each decision to the next, and the last one comes
 *    back at the top, for the page to send with its next request.
 */

export type PlacementDecision = DecisionResponse & { adUnitId: string; width: number; height: number; fallbackHtml?: string };

export async function decidePlacements(
  deps: Deps,
  req: PlacementsRequest,
  caller: DecisionCaller,
): Promise<{ decisions: PlacementDecision[]; frequencyToken?: string }> {
  const engine = serveEngine(deps);
  const { placements, uniqueAdvertisers, ...shared } = req;
  // Every unit is checked before any decision is made: an unknown one fails the request, having counted nothing.
  const units = await Promise.all(placements.map((p) => engine.adUnit(p.adUnitId)));
  const exclude = new Set<string>();
  const decisions: PlacementDecision[] = [];
  let frequencyToken = shared.frequencyToken;
  for (const unit of units) {
    const decision = await engine.decide({ ...shared, adUnitId: unit.id, ...(frequencyToken === undefined ? {} : { frequencyToken }) }, caller, exclude);
    const size = { adUnitId: unit.id, width: unit.width, height: unit.height };
    if (decision.ad === null) {
      decisions.push({ ...decision, ...size, ...(unit.fallbackHtml ? { fallbackHtml: unit.fallbackHtml } : {}) });
      continue;
    }
    decisions.push({ ...decision, ...size });
    frequencyToken = decision.frequencyToken;
    for (const id of uniqueAdvertisers ? engine.advertiserCampaigns(decision.ad.campaignId) : [decision.ad.campaignId]) exclude.add(id);
  }
  return { decisions, ...(frequencyToken === undefined ? {} : { frequencyToken }) };
}
