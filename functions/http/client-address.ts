import type { Context } from 'hono';

interface PlatformEnv {
  /** API Gateway (hono/aws-lambda puts the event's request context here). */
  requestContext?: { http?: { sourceIp?: string } };
  /** @hono/node-server (the local runner). */
  incoming?: { socket?: { remoteAddress?: string } };
}

/** The address the request came from, as the platform saw it (never a client-sent X-Forwarded-For). */
export function clientAddress(c: Context): string {
  const env = c.env as PlatformEnv | undefined;
  return env?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
