import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { dispatch } from '../../functions/http/routing.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { serveEngine } from '../../functions/app/serving/serve-engine.js';
import { TAG_VERSION } from '../../functions/tag/tag-script.js';
import { freePort } from '../../scripts/local/dynamodb-local.js';
import { aMarket, aUnit, anActiveCampaign, type Market } from '../support/campaigns.js';
import { BROWSER_UA } from '../support/http.js';
import { testDeps, type MovableClock } from '../support/deps.js';
import { call, type Schemas } from '../support/http.js';
import { CHROMIUM, chromiumArgs } from './chromium.js';

/**
 * The JavaScript tag in a real browser (Debian's chromium through playwright-core) against a real
 * Placard server (both apps on one port, DynamoDB Local) and a publisher's site on another port.
 *
 * Time: the page runs on playwright's fake clock, moved by `elapse`, which moves the server's
 * clock by as much: "1.2 s in view" is exact, not a race with a busy machine. Scrolling and
 * IntersectionObserver are real. Headless chromium always reports a page visible (switching tabs
 * does not change it: w3c/webdriver#1718), so a hidden tab is the page's document reporting
 * `hidden` with its visibilitychange event, as a browser does when the tab goes to the background.
 */

let deps: Deps;
let api: ReturnType<typeof createApp>;
let market: Market;
let placard: ServerType;
let site: Server;
let placardUrl: string;
let siteUrl: string;
let browser: Browser;
/** Every request any page made that was not for one of the two local servers. */
const outside: string[] = [];

const UNIT = { width: 300, height: 250 };
const SCRIPT_TITLE = '<script>window.__pwned = 1</script>Tea';
const HTML_BODY = '<img src="x" onerror="window.__pwned = 2">leaves';

/** A post with units: the first in view, the others below the fold. */
const post = (units: string[]) => `<!doctype html><html><head><meta charset="utf-8"><title>Post</title></head><body style="margin:0">
<h1>A post</h1>
${units.map((u, i) => `<div id="slot${i}" data-placard-unit="${u}"></div><div style="height:${i < units.length - 1 ? 2000 : 3000}px">Article text</div>`).join('\n')}
<script async src="${placardUrl}/tag.js?v=${TAG_VERSION}"></script>
</body></html>`;

const pages = new Map<string, string>();
/** A page on the publisher's site (each test its own path). */
const publish = (path: string, units: string[]): string => {
  pages.set(path, post(units));
  return `${siteUrl}${path}`;
};

beforeAll(async () => {
  const placardPort = await freePort();
  placardUrl = `http://127.0.0.1:${placardPort}`;
  deps = await testDeps({ env: { PUBLIC_BASE_URL: placardUrl } });
  api = createApp(deps);
  placard = serve({ port: placardPort, hostname: '127.0.0.1', fetch: dispatch(api, createServeApp(deps)) });
  site = createServer((req, res) => {
    if (req.url?.startsWith('/landing')) return res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Landing</title><h1>Spring tea</h1>');
    const page = pages.get(req.url ?? '');
    if (page === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  market = await aMarket(api, deps, UNIT);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => placard?.close(resolve));
  await new Promise((resolve) => site?.close(resolve));
});

afterEach(() => {
  // The tag and the ads load with no network beyond the Placard server and the publisher's site.
  expect(outside).toEqual([]);
});

/**
 * A fresh browser context whose every request is checked: only the two local servers are reachable.
 * `frequencyToken`: added to decision responses, as the serve path may send one.
 */
async function aContext(init?: () => void, frequencyToken?: string): Promise<{ context: BrowserContext; page: Page; decisions: string[] }> {
  // Headless Chromium names itself HeadlessChrome, which the serve path rightly treats as a bot (never billed): a reader's browser does not.
  const context = await browser.newContext({ viewport: { width: 800, height: 600 }, userAgent: BROWSER_UA });
  const decisions: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (![new URL(placardUrl).host, new URL(siteUrl).host].includes(new URL(url).host)) {
      outside.push(url);
      return route.abort();
    }
    if (url !== `${placardUrl}/v1/decisions`) return route.continue();
    decisions.push(route.request().postData() ?? '');
    if (frequencyToken === undefined) return route.continue();
    const response = await route.fetch();
    return route.fulfill({ response, json: { ...(await response.json()), frequencyToken } });
  });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  await page.clock.install({ time: 0 });
  await page.clock.pauseAt(1_000);
  return { context, page, decisions };
}

/** Moves page time and server time forward together. */
async function elapse(page: Page, ms: number): Promise<void> {
  (deps.clock as MovableClock).advance(ms);
  await page.clock.runFor(ms);
}

/** Waits until the browser has computed where the units are (an IntersectionObserver of the test's own, notified after the tag's). */
async function settled(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const io = new IntersectionObserver(() => {
          io.disconnect();
          resolve();
        });
        const ads = Array.from(document.querySelectorAll('[data-placard-unit] > div'));
        if (ads.length === 0) resolve();
        for (const el of ads) io.observe(el);
      }),
  );
}

/** Impression requests the page has sent so far, by unit slot. */
function impressionsSent(page: Page): string[] {
  return sent.get(page) ?? [];
}
const sent = new WeakMap<Page, string[]>();
function recordImpressions(page: Page): void {
  sent.set(page, []);
  page.on('request', (req) => {
    if (req.url().includes('/t/i/')) sent.get(page)!.push(req.url());
  });
}

async function report(campaignId: string): Promise<Schemas['Report']['totals']> {
  await serveEngine(deps).flush();
  const now = deps.clock().getTime();
  const q = `dimension=campaign&id=${campaignId}&from=${new Date(now - 86_400_000).toISOString()}&to=${new Date(now + 86_400_000).toISOString()}`;
  return (await call(api, 'GET', `/v1/reports?${q}`, { key: market.advertiser.key })).body.totals;
}

// Creatives' images must be https: the site's own host over https (it speaks http, so the image stays blank; no request leaves the machine).
const creative = (title: string, body = 'Fresh leaves') => ({
  title,
  body,
  imageUrl: `${siteUrl.replace('http:', 'https:')}/ad.png`,
  landingUrl: `${siteUrl}/landing?c=${encodeURIComponent(title)}`,
});
const onUnits = (...units: string[]): Schemas['CampaignInput']['targeting'] => [[{ attribute: 'adUnitId', op: 'in', values: units }]];
const nextSecond = () => (deps.clock as MovableClock).advance(1_100);

async function loaded(page: Page, url: string, units: number): Promise<void> {
  recordImpressions(page);
  await page.goto(url);
  await page.waitForFunction((n) => document.querySelectorAll('[data-placard-state="ad"], [data-placard-state="empty"]').length === n, units);
  await settled(page);
}

describe('the JavaScript tag in chromium', () => {
  it('serves both units with one request, two different campaigns, advertiser text as text; bills only what was viewable for 1 s', async () => {
    const [top, bottom] = [await aUnit(api, market, UNIT), await aUnit(api, market, UNIT)];
    const a = await anActiveCampaign(
      api,
      deps,
      market.advertiser,
      market.admin,
      { targeting: onUnits(top, bottom), bidding: { model: 'cpm', bidMicros: 9_000_000 } },
      creative(SCRIPT_TITLE, HTML_BODY),
    );
    const b = await anActiveCampaign(
      api,
      deps,
      market.advertiser,
      market.admin,
      { targeting: onUnits(top, bottom), bidding: { model: 'cpm', bidMicros: 4_000_000 } },
      creative('Oolong'),
    );
    nextSecond();
    const { context, page, decisions } = await aContext();
    await loaded(page, publish('/two-units', [top, bottom]), 2);

    expect(decisions).toHaveLength(1);
    expect(JSON.parse(decisions[0]!).placements).toEqual([{ adUnitId: top }, { adUnitId: bottom }]);
    // Two campaigns: the best on top, the other (not the best again) below.
    expect(await page.locator('#slot0 strong').textContent()).toBe(SCRIPT_TITLE);
    expect(await page.locator('#slot1 strong').textContent()).toBe('Oolong');
    // Advertiser markup stayed text: nothing ran, no element came from it.
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('[data-placard-unit] script, [data-placard-unit] img[src="x"]').count()).toBe(0);
    expect(await page.locator('#slot0 > div').evaluate((el) => [el.getBoundingClientRect().width, el.getBoundingClientRect().height])).toEqual([300, 250]);
    const link = page.locator('#slot0 a');
    expect(await link.getAttribute('rel')).toBe('sponsored noopener');
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^${placardUrl}/t/c/`));
    expect(await page.locator('#slot0').getByText('Ad', { exact: true }).count()).toBe(1);

    // The top unit is in view: not yet at 0.9 s, at 1 s it bills; the bottom one never was in view.
    await elapse(page, 900);
    expect(impressionsSent(page)).toHaveLength(0);
    const billed = page.waitForResponse((res) => res.url().includes('/t/i/'));
    await elapse(page, 200);
    await billed;
    expect(impressionsSent(page)).toHaveLength(1);
    expect(await report(a)).toMatchObject({ impressions: 1 });
    expect(await report(b)).toMatchObject({ impressions: 0 });

    // The bottom unit in view for 0.5 s, then out for long: nothing.
    await page.locator('#slot1').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await settled(page);
    await elapse(page, 500);
    await page.evaluate(() => window.scrollTo(0, 0));
    await settled(page);
    await elapse(page, 5_000);
    expect(impressionsSent(page)).toHaveLength(1);

    // In view again for 1.2 continuous seconds: billed once, and never again.
    await page.locator('#slot1').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await settled(page);
    const second = page.waitForResponse((res) => res.url().includes('/t/i/'));
    await elapse(page, 1_200);
    await second;
    await elapse(page, 5_000);
    expect(impressionsSent(page)).toHaveLength(2);
    expect(await report(b)).toMatchObject({ impressions: 1 });
    expect(await report(a)).toMatchObject({ impressions: 1 });
    expect(decisions).toHaveLength(1);
    await context.close();
  }, 120_000);

  it('bills nothing in a hidden tab, and once the tab is shown and the ad viewed for 1 s', async () => {
    const unit = await aUnit(api, market, UNIT);
    const id = await anActiveCampaign(api, deps, market.advertiser, market.admin, { targeting: onUnits(unit) }, creative('Hidden'));
    nextSecond();
    const { context, page } = await aContext(() => {
      let hidden = true;
      Object.defineProperty(document, 'hidden', { get: () => hidden });
      Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
      (window as { show?: () => void }).show = () => {
        hidden = false;
        document.dispatchEvent(new Event('visibilitychange'));
      };
    });
    await loaded(page, publish('/hidden', [unit]), 1);
    await elapse(page, 10_000);
    expect(impressionsSent(page)).toHaveLength(0);
    expect(await report(id)).toMatchObject({ impressions: 0 });

    await page.evaluate(() => (window as { show?: () => void }).show!());
    const billed = page.waitForResponse((res) => res.url().includes('/t/i/'));
    await elapse(page, 1_000);
    await billed;
    expect(await report(id)).toMatchObject({ impressions: 1 });
    await context.close();
  }, 60_000);

  it('opens the landing page on a click and bills the click once', async () => {
    const unit = await aUnit(api, market, UNIT);
    const id = await anActiveCampaign(
      api,
      deps,
      market.advertiser,
      market.admin,
      { targeting: onUnits(unit), bidding: { model: 'cpc', bidMicros: 400_000 } },
      creative('Click me'),
    );
    nextSecond();
    const { context, page } = await aContext();
    await loaded(page, publish('/click', [unit]), 1);
    const viewed = page.waitForResponse((res) => res.url().includes('/t/i/'));
    await elapse(page, 1_000);
    await viewed;

    for (let i = 0; i < 2; i++) {
      const popup = context.waitForEvent('page');
      await page.locator('#slot0 a').click();
      const landing = await popup;
      await landing.waitForLoadState();
      expect(landing.url()).toBe(`${siteUrl}/landing?c=Click%20me`);
      expect(await landing.locator('h1').textContent()).toBe('Spring tea');
      await landing.close();
    }
    const totals = await report(id);
    expect(totals).toMatchObject({ impressions: 1, clicks: 1, invalid: 1 });
    expect(totals.spendMicros).toBeGreaterThan(0);
    expect(totals.spendMicros).toBeLessThanOrEqual(400_000);
    await context.close();
  }, 60_000);

  it('shows the owner’s fallback HTML, or collapses the unit, when there is no ad', async () => {
    const withFallback = await aUnit(api, market, { ...UNIT, fallbackHtml: '<p class="house">Subscribe to Tea Daily</p>' });
    const bare = await aUnit(api, market, UNIT);
    const { context, page } = await aContext();
    await loaded(page, publish('/empty', [withFallback, bare]), 2);
    expect(await page.locator('#slot0 .house').textContent()).toBe('Subscribe to Tea Daily');
    expect(await page.locator('#slot1').isVisible()).toBe(false);
    await context.close();
  }, 60_000);

  it('keeps a first-party viewer id and the frequency token in the page’s own storage, and neither under Global Privacy Control', async () => {
    const unit = await aUnit(api, market, UNIT);
    await anActiveCampaign(api, deps, market.advertiser, market.admin, { targeting: onUnits(unit) }, creative('Ids'));
    nextSecond();
    const url = publish('/ids', [unit]);
    const { context, page, decisions } = await aContext(undefined, 'ft-1');
    await loaded(page, url, 1);
    await loaded(page, url, 1);
    const [first, second] = decisions.map((d) => JSON.parse(d));
    expect(first.viewer.id).toMatch(/^[0-9a-f]{32}$/);
    expect(second.viewer.id).toBe(first.viewer.id);
    expect(first.frequencyToken).toBeUndefined();
    expect(second.frequencyToken).toBe('ft-1');
    expect(await page.evaluate(() => localStorage.getItem('placard:viewer'))).toBe(first.viewer.id);
    await context.close();

    const gpc = await aContext(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    await loaded(gpc.page, url, 1);
    await loaded(gpc.page, url, 1);
    const ids = gpc.decisions.map((d) => JSON.parse(d).viewer.id);
    expect(ids[0]).not.toBe(ids[1]);
    expect(await gpc.page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    expect(await gpc.page.locator('[data-placard-state="ad"]').count()).toBe(1);
    await gpc.context.close();
  }, 60_000);
});
