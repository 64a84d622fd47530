import type { Context } from 'hono';
import type { RequestSource } from '../core/serving/fingerprint.js';
import type { AppEnv } from './env.js';

/**
 * Where a serve request comes from, as the platform saw it (DESIGN §9): API Gateway's source
 * address on Lambda, the socket's on the local runner. A client-supplied X-Forwarded-For is read
 * only when TRUSTED_PROXY_HOPS names proxies in front of the platform (then the entry that many
 * from the right, the one the outermost trusted proxy appended). The address goes straight into
 * the fingerprint (core/serving/fingerprint.ts) and is never stored or logged.
 */

interface RuntimeEnv {
  /** hono/aws-lambda: API Gateway v2 (`http`) or v1 (`identity`). */
  requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } };
  /** @hono/node-server. */
  incoming?: { socket?: { remoteAddress?: string } };
}

export function requestSource(c: Context<AppEnv>): RequestSource {
  const env = c.env as RuntimeEnv | undefined;
  const seen = env?.requestContext?.http?.sourceIp ?? env?.requestContext?.identity?.sourceIp ?? env?.incoming?.socket?.remoteAddress;
  const hops = c.var.deps.config.TRUSTED_PROXY_HOPS;
  const forwarded =
    hops > 0
      ? (c.req.header('x-forwarded-for') ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== '')
      : [];
  return { address: forwarded.at(-hops) ?? seen, userAgent: c.req.header('user-agent') };
}

/** The page asking, as a browser names it: `Origin`, else the origin of `Referer`; lower case. */
export function pageOrigin(c: Context<AppEnv>): string | undefined {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null') return origin.toLowerCase();
  const referer = c.req.header('referer');
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin.toLowerCase();
  } catch {
    return undefined;
  }
}
