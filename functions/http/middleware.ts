import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Deps } from '../deps.js';
import type { AppEnv, RequestLog } from './env.js';
import { problemResponse } from './problem.js';

/** What every response may be: data, never a page to frame or a script to sniff (routes that serve pages set their own CSP). */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Request id, security headers, a per-request logger, an access log line and the body size limit: every app has them. */
export function installCommonMiddleware(app: Hono<AppEnv>, deps: Deps): void {
  app.use(requestId());
  app.use(async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('x-content-type-options', 'nosniff');
    if (!headers.has('content-security-policy')) headers.set('content-security-policy', API_CSP);
    // An answer to a keyed request is that tenant's data: no shared or browser cache may keep it.
    if (c.req.header('authorization') !== undefined) headers.set('cache-control', 'no-store');
  });
  app.use(async (c, next) => {
    c.set('deps', deps);
    const log = requestLog(deps.logger, c.var.requestId);
    c.set('log', log);
    const started = performance.now();
    await next();
    // Method, path and status only: never headers, which carry API keys.
    log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) });
  });
  const tooLarge = () => problemResponse(413, `The request body is over ${deps.config.MAX_BODY_BYTES} bytes`, {}, 'payload_too_large');
  const streamed = bodyLimit({ maxSize: deps.config.MAX_BODY_BYTES, onError: tooLarge });
  app.use((c, next) => {
    // hono's bodyLimit reads `c.req.raw.body` first, which makes @hono/node-server build a whole
    // web Request with a stream body for every request (a fifth of a decision's CPU): a declared
    // length is checked from the header alone (the HTTP parser and API Gateway hold the body to
    // it, as bodyLimit itself trusts), and only a body without one is counted as it streams.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    return Number(length) > deps.config.MAX_BODY_BYTES ? Promise.resolve(tooLarge()) : next();
  });
}

/**
 * The process logger with the request id added to each line. Not a `createChild` per request:
 * building a powertools Logger (options, console, env lookups) cost about a tenth of the serve
 * path's CPU under load, for a line that is usually below the log level anyway.
 */
function requestLog(logger: Deps['logger'], requestId: string): RequestLog {
  const withId =
    (level: keyof RequestLog) =>
    (message: string, attributes: Record<string, unknown> = {}): void =>
      logger[level](message, { requestId, ...attributes });
  return { debug: withId('debug'), info: withId('info'), warn: withId('warn'), error: withId('error') };
}
