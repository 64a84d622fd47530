/**
 * Which paths the `serve` function answers (the hot path: decisions, tracking, the ad tags); the `api`
 * function answers the rest. The CDK stack's routes and the local runner both follow this.
 */
export const servePaths = ['/v1/decisions', '/t/{proxy+}', '/tag.js', '/e/{proxy+}'] as const;

export function isServePath(path: string): boolean {
  return path === '/v1/decisions' || path === '/tag.js' || path.startsWith('/t/') || path.startsWith('/e/');
}

type FetchApp = { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };

/** One fetch handler for both apps, routed as API Gateway routes them: for a single local port. The server's env (the connection) is passed on. */
export function dispatch(api: FetchApp, serve: FetchApp): (request: Request, env?: unknown) => Response | Promise<Response> {
  return (request, env) => (isServePath(new URL(request.url).pathname) ? serve.fetch(request, env) : api.fetch(request, env));
}
