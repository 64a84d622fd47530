/**
 * The console step: its initial JavaScript (what index.html loads before the first render,
 * gzipped), and the time from navigation to a usable marketplace page (results listed) in
 * headless chromium against the local platform with a seeded marketplace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { dispatch } from '../functions/http/routing.js';
import { consoleDist, withConsole } from '../scripts/local/console.js';
import { seedMarketplace } from '../scripts/seed.js';
import { launchChromium } from '../test/browser/server.js';
import { startWorld } from './world.js';

export interface ConsoleFigures {
  initialJsBytes: number;
  initialJsGzipBytes: number;
  accounts: number;
  /** Navigation to results on screen, first load (empty browser cache) then warm loads, in ms. */
  firstMs: number;
  warmMs: number[];
}

/** The scripts index.html loads at once: the entry module and its modulepreloads. */
function initialScripts(dist: string): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  return [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/console\/([^"]+\.js)"/g)].map((m) => join(dist, m[1]!));
}

export async function benchConsole(options: { accounts: number; loads: number }): Promise<ConsoleFigures> {
  const dist = await consoleDist(() => undefined);
  const scripts = initialScripts(dist).map((file) => readFileSync(file));
  const world = await startWorld();
  const browser = await launchChromium();
  try {
    const seeded = await seedMarketplace(world.deps, { accounts: options.accounts, days: 30 });
    const server = await new Promise<{ url: string; close: () => void }>((resolve) => {
      const s = serve({ port: 0, hostname: '127.0.0.1', fetch: withConsole(dist, dispatch(world.api, world.serve)) }, (info) =>
        resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
      );
    });
    try {
      // Signed in by the advertiser's key, set before the console's scripts run; a fresh context has an empty cache.
      const context = await browser.newContext();
      await context.addInitScript((key) => sessionStorage.setItem('placard.apiKey', key), seeded.advertiserKey);
      const page = await context.newPage();
      const load = async () => {
        const started = performance.now();
        await page.goto(`${server.url}/console/marketplace`);
        await page.locator('main tbody tr').first().waitFor({ timeout: 60_000 });
        return performance.now() - started;
      };
      const firstMs = await load();
      const warmMs: number[] = [];
      for (let i = 0; i < options.loads; i += 1) warmMs.push(await load());
      return {
        initialJsBytes: scripts.reduce((n, b) => n + b.length, 0),
        initialJsGzipBytes: scripts.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
        accounts: seeded.accounts,
        firstMs,
        warmMs: warmMs.sort((a, b) => a - b),
      };
    } finally {
      server.close();
    }
  } finally {
    await browser.close();
    await world.close();
  }
}
