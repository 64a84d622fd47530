import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, RateLimitedError, type ErrorCode, type FieldIssue } from '../core/shared/errors.js';
import type { AppEnv } from './env.js';

/** The one map from domain error codes to HTTP statuses. */
const statusByCode: Record<ErrorCode, ContentfulStatusCode> = {
  validation: 400,
  unauthorized: 401,
  insufficient_funds: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  idempotency_in_progress: 409,
  payload_too_large: 413,
  idempotency_mismatch: 422,
  rate_limited: 429,
};

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
  [extension: string]: unknown;
}

export function problemResponse(status: ContentfulStatusCode, detail: string, extensions: Record<string, unknown> = {}, code?: string): Response {
  // No extension member may stand in for a member RFC 9457 defines (state goes in `state`, not `status`).
  const { type: _type, title: _title, status: _status, detail: _detail, instance: _instance, ...members } = extensions;
  const body: Problem = {
    ...members,
    type: code ? `https://placard.dev/problems/${code.replaceAll('_', '-')}` : 'about:blank',
    title: titles[status] ?? 'Error',
    status,
    detail,
  };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });
}

export function validationProblem(issues: FieldIssue[]): Response {
  const detail = `Invalid request: ${issues.map((i) => i.field).join(', ')}`;
  return problemResponse(400, detail, { errors: issues }, 'validation');
}

function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** The error handling shared by every Placard app: problem+json for every failure, 404 vs 405. */
export function installErrorHandling(app: Hono<AppEnv>): void {
  app.notFound((c) => {
    const path = c.req.path;
    const methods = new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path !== '*' && routePattern(r.path).test(path)).map((r) => r.method));
    // A handler's own c.notFound() on a matching route is a 404, not a wrong method.
    if (methods.size > 0 && !methods.has(c.req.method)) {
      const response = problemResponse(405, `${c.req.method} is not allowed on ${path}`, {}, 'method_not_allowed');
      response.headers.set('allow', [...methods].join(', '));
      return response;
    }
    return problemResponse(404, `No route for ${c.req.method} ${path}`, {}, 'not_found');
  });

  app.onError((error, c: Context<AppEnv>) => {
    if (error instanceof DomainError) {
      const response = problemResponse(statusByCode[error.code], error.message, error.extensions, error.code);
      if (error instanceof RateLimitedError) response.headers.set('retry-after', String(error.retryAfterSeconds));
      return response;
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      if (status === 415) return problemResponse(415, 'Send the body as application/json', {}, 'unsupported_media_type');
      return problemResponse(status, error.message || titles[status] || 'Error', {}, status === 400 ? 'malformed_request' : undefined);
    }
    c.var.log?.error('unhandled error', { requestId: c.var.requestId, error });
    return problemResponse(500, `Something went wrong on our side. Quote request id ${c.var.requestId ?? 'unknown'} when reporting it.`, {}, 'internal');
  });
}
