/**
 * The console on the local platform: `consoleDist()` builds console/ with Vite when its build is
 * missing or older than any source file (so `npm start` needs no separate command), and
 * `withConsole()` serves the build at /console/ in front of the api and serve apps. Paths under
 * /console/ that are not files get index.html, so the SPA's own links load directly.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const VITE = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');

export const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');
const PREFIX = '/console/';

/** Newest modification time of the console's sources (everything in console/ but dist/). */
async function newestSource(dir = CONSOLE_ROOT): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

async function builtAt(): Promise<number> {
  return stat(join(CONSOLE_DIST, 'index.html')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

/** Builds the console when its build is missing or stale; returns the dist folder. */
export async function consoleDist(log: (line: string) => void = console.log): Promise<string> {
  if ((await builtAt()) >= (await newestSource())) return CONSOLE_DIST;
  log('building the console (console/ → console/dist/)…');
  // In its own process with NODE_ENV=production: a test process's NODE_ENV=test would make a development build.
  await run(process.execPath, [VITE, 'build', CONSOLE_ROOT], { env: { ...process.env, NODE_ENV: 'production' } });
  return CONSOLE_DIST;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

async function file(path: string): Promise<Response | undefined> {
  const body = await readFile(path).catch(() => undefined);
  if (!body) return undefined;
  const hashed = path.includes(`${sep}assets${sep}`);
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    },
  });
}

/** A fetch handler; the second argument (node-server's env, with the client's socket) is passed on. */
type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** Answers GET /console/… from the build; everything else goes to `next`. */
export function withConsole(dist: string, next: Fetch): Fetch {
  return async (request, env) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/console') return Response.redirect(new URL(PREFIX, request.url), 308);
    if (!pathname.startsWith(PREFIX) || (request.method !== 'GET' && request.method !== 'HEAD')) return next(request, env);
    const relative = normalize(decodeURIComponent(pathname.slice(PREFIX.length)));
    if (relative.startsWith('..')) return new Response('Not found', { status: 404 });
    const found = relative && relative !== '.' ? await file(join(dist, relative)) : undefined;
    if (found) return found;
    if (relative.startsWith('assets')) return new Response('Not found', { status: 404 });
    return (await file(join(dist, 'index.html'))) ?? new Response('The console is not built', { status: 503 });
  };
}
