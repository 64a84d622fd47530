import { CHROMIUM, chromiumArgs } from './chromium.js';
/**
 * The local platform as `npm start` serves it — api and serve apps on one port with the console
 * at /console/ — on a random free port, and headless chromium (Debian's) for the console's tests.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { dispatch } from '../../functions/http/routing.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { consoleDist, withConsole } from '../../scripts/local/console.js';

export interface ConsoleServer {
  url: string;
  stop: () => Promise<void>;
}

export async function startConsoleServer(deps: Deps): Promise<ConsoleServer> {
  const dist = await consoleDist(() => undefined);
  const fetch = withConsole(dist, dispatch(createApp(deps), createServeApp(deps)));
  return new Promise((resolve) => {
    const server = serve({ port: 0, hostname: '127.0.0.1', fetch }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; targets: string[] }[]> {
  // evaluate, not a script tag: the console's Content-Security-Policy refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }
    ).axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
