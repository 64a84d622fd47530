/**
 * Which paths the `serve` function answers (the hot path: decisions, tracking, the ad tags); the `api`
 * function answers the rest. The CDK stack's routes and the local runner both follow this.
 */
export const servePaths = ['/v1/decisions', '/t/{proxy+}', '/tag.js', '/e/{proxy+}'] as const;

export function isServePath(path: string): boolean {
  return path === '/v1/decisions' || path === '/tag.js' || path.startsWith('/t/') || path.startsWith('/e/');
}

type FetchApp = { fetch: (request: Request) => Response | Promise<Response> };

/** One fetch handler for both apps, routed as API Gateway routes them: for a single local port. */
export function dispatch(api: FetchApp, serve: FetchApp): (request: Request) => Response | Promise<Response> {
  return (request) => (isServePath(new URL(request.url).pathname) ? serve.fetch(request) : api.fetch(request));
}
