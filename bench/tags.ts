/**
 * The JavaScript tag in headless chromium against a local Placard server: /tag.js's gzipped size,
 * the time from the tag's script starting to the first ad on the page, and the requests a page
 * view makes to Placard (target: one decision request for all its units). Each page view is a
 * fresh browser context (an empty cache), a publisher's page with two units on another origin.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { dispatch } from '../functions/http/routing.js';
import { TAG_VERSION } from '../functions/tag/tag-script.js';
import { freePort } from '../scripts/local/dynamodb-local.js';
import { CHROMIUM, chromiumArgs } from '../test/browser/chromium.js';
import { percentile } from './report.js';
import { seedServing } from './serving-world.js';
import { startWorld } from './world.js';

export interface TagFigures {
  gzippedBytes: number;
  plainBytes: number;
  pageViews: number;
  /** Script start (tag.js received) → first ad in the DOM, ms. */
  firstAdMs: number[];
  /** Of which the decision request (sent → answered), ms. */
  decisionMs: number[];
  /** Requests to Placard per page view: all, and decision requests. */
  placardRequests: number[];
  decisionRequests: number[];
}

export async function benchTags(options: { pageViews: number; log: (m: string) => void }): Promise<TagFigures> {
  const port = await freePort();
  const placardUrl = `http://127.0.0.1:${port}`;
  const world = await startWorld({ publicBaseUrl: placardUrl });
  const server = serve({ port, hostname: '127.0.0.1', fetch: dispatch(world.api, world.serve) });
  const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
  let page = '';
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
  try {
    options.log('seeding 20 campaigns and 2 units');
    const { units } = await seedServing(world, { campaigns: 20, units: 2, budgetMicros: 1_000_000_000, bidMicros: 2_000_000, everyone: true });
    page = `<!doctype html><html><head><meta charset="utf-8"></head><body>
<script>new MutationObserver((_, o) => { if (document.querySelector('[data-placard-state="ad"]')) { window.firstAd = performance.now(); o.disconnect(); } }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-placard-state'] });</script>
${units.map((u) => `<div data-placard-unit="${u}"></div><p>Article text</p>`).join('\n')}
<script async src="${placardUrl}/tag.js?v=${TAG_VERSION}"></script></body></html>`;
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;

    // Through the app itself: fetch() would undo the gzip.
    const gzippedBytes = (await (await world.serve.request(`/tag.js?v=${TAG_VERSION}`, { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer()).byteLength;
    const plainBytes = (await (await world.serve.request('/tag.js')).arrayBuffer()).byteLength;

    const figures: TagFigures = { gzippedBytes, plainBytes, pageViews: 0, firstAdMs: [], decisionMs: [], placardRequests: [], decisionRequests: [] };
    options.log(`${options.pageViews} page views`);
    for (let i = 0; i < options.pageViews; i++) {
      const context = await browser.newContext();
      let placard = 0;
      let decisions = 0;
      // Nothing leaves the machine: the creatives' images (on example.com) are refused.
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(siteUrl)) return route.continue();
        if (!url.startsWith(placardUrl)) return route.abort();
        placard++;
        if (url.startsWith(`${placardUrl}/v1/decisions`)) decisions++;
        return route.continue();
      });
      const tab = await context.newPage();
      await tab.goto(siteUrl);
      await tab.waitForFunction(() => (window as { firstAd?: number }).firstAd !== undefined);
      const [firstAd, decision] = await tab.evaluate(() => {
        // No named helpers in here: the bench runs through tsx, whose names would not exist in the page.
        const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const tag = entries.find((e) => e.name.includes('/tag.js'))!;
        const d = entries.find((e) => e.name.includes('/v1/decisions'))!;
        return [(window as unknown as { firstAd: number }).firstAd - tag.responseEnd, d.responseEnd - d.startTime];
      });
      figures.firstAdMs.push(firstAd!);
      figures.decisionMs.push(decision!);
      figures.placardRequests.push(placard);
      figures.decisionRequests.push(decisions);
      figures.pageViews++;
      await context.close();
    }
    return figures;
  } finally {
    await browser.close();
    server.close();
    site.close();
    await world.close();
  }
}

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
