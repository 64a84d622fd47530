import type { Hono } from 'hono';
import type { AppEnv } from '../../functions/http/env.js';

type App = Pick<Hono<AppEnv>, 'request'>;

export interface Call {
  status: number;
  headers: Headers;
  body: any;
}

/** A browser's user agent (WeChat's in-app browser): serve requests without one count as bots. */
export const BROWSER_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40';

/** A JSON request through the real app (`app.request`), with an optional API key, as a browser. */
export async function call(
  app: App,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Call> {
  const headers: Record<string, string> = { 'user-agent': BROWSER_UA, ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.request(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

let counter = 0;
/** Signs up a tenant and returns its id and API key. */
export async function signup(app: App, role: 'advertiser' | 'publisher', name = role): Promise<{ id: string; key: string }> {
  counter += 1;
  const res = await call(app, 'POST', '/v1/signup', { body: { role, name, email: `${name}-${counter}-${Date.now()}@example.com` } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.tenant.id, key: res.body.apiKey.key };
}
