import { OpenAPIHono, z } from '@hono/zod-openapi';
import { idMaxLength, idPattern, type IdPrefix } from '../core/shared/ids.js';
import { MAX_MICROS } from '../core/shared/money.js';
import type { Role } from '../core/tenants/tenants.js';
import { requireCaller } from './auth.js';
import type { AppEnv } from './env.js';
import { fieldIssues } from '../core/shared/inputs.js';
import { validationProblem } from './problem.js';
import { isServePath } from './routing.js';

/** A router whose validation failures all become the same 400 problem document. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) return validationProblem(fieldIssues(result.error.issues));
    },
  });
}

export { microsInput } from '../core/shared/money.js';

/** A money amount in a query string: integer micros from 0 to MAX_MICROS (400 beyond). */
export const microsQuery = z.coerce
  .number()
  .int()
  .min(0)
  .max(MAX_MICROS)
  .openapi({ description: `In micros, at most ${MAX_MICROS}` });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    // Extension members (RFC 9457): what a client needs to act on the error, when it applies.
    state: z.string().optional().openapi({ description: 'The object’s state, when the action does not apply to it (403, 409)' }),
    allowedActions: z.array(z.string()).optional().openapi({ description: 'What the caller may do to the object now (403, 409)' }),
    deadlines: z
      .object({ respondBy: z.iso.datetime().optional(), reviewEndsAt: z.iso.datetime().optional() })
      .optional()
      .openapi({ description: 'The order’s deadlines, when one decides the conflict (409)' }),
    slotId: z.string().optional().openapi({ description: 'The slot that is not open or is past (409)' }),
    duplicate: z
      .object({ publishDate: z.string(), position: z.string() })
      .optional()
      .openapi({ description: 'The date and position the account already has a slot on (409)' }),
    end: z.iso.datetime().optional().openapi({ description: 'When the campaign’s schedule ended (409)' }),
    category: z.string().optional().openapi({ description: 'The category a funded campaign keeps (409)' }),
    maxMicros: z.number().int().optional().openapi({ description: 'The most a balance holds (409)' }),
    created: z.string().optional().openapi({ description: 'What the first request with this Idempotency-Key created, when its answer carried a secret (409)' }),
    retryAfterSeconds: z.number().int().optional().openapi({ description: 'As Retry-After (429)' }),
  })
  .openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** The error responses most routes can give, for the OpenAPI document. */
export const errorResponses = {
  400: problem('Invalid request; `errors` lists each invalid field'),
  401: problem('Missing, unknown or revoked API key, or the session has ended'),
  403: problem('The key’s role may not do this, or a state-changing request signed in by cookie came from another origin'),
  404: problem('Not found, or not yours'),
  409: problem('Conflicts with the current state'),
} as const;

export { problem as problemContent };

/** An API key or the console's session cookie: every authenticated endpoint takes either. */
export const bearerSecurity: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
export const sessionSecurity: Record<string, string[]>[] = [{ session: [] }];

/**
 * Who may call a route: any API key, or a key of one of `roles`. Spread into `createRoute`: the
 * check runs before the route's validators (so a missing key is 401 and a wrong role 403 even
 * when the request is also invalid), and `x-roles` documents it.
 */
export function access(...roles: Role[]) {
  return { security: bearerSecurity, middleware: [requireCaller(roles)], ...(roles.length > 0 ? { 'x-roles': roles } : {}) };
}

/** An id of one kind (`cmp_…`), or one of a few: one pattern and maximum length for every path, query and body reference. */
export const Id = (...prefixes: [IdPrefix, ...IdPrefix[]]) =>
  z
    .string()
    .max(idMaxLength(...prefixes))
    .regex(idPattern(...prefixes), `must be a ${prefixes.map((p) => `${p}_…`).join(' or ')} id`)
    .openapi({ example: `${prefixes[0]}_01jdv9gq8x3k7m2n4p6r8t0w5y` });

/** The `{id}` path parameter of a route about one kind of object. */
export const IdParam = (prefix: IdPrefix) => z.object({ id: Id(prefix) });

/**
 * Adds the errors a route answers by its shape alone, so /openapi.json lists every status a
 * route can give (a route's own, more specific descriptions stay):
 * any input → 400, a path id → 404, a body → 413 and 415, an API key or any /v1 route of this
 * app (an unknown key is refused everywhere) → 401, roles → 403, a POST (Idempotency-Key) →
 * 400, 409 and 422, and any route → 500.
 */
export function documentCommonErrors(registry: OpenAPIHono<AppEnv>['openAPIRegistry']): void {
  for (const definition of registry.definitions) {
    if (definition.type !== 'route') continue;
    const route = definition.route as typeof definition.route & { 'x-roles'?: Role[] };
    const add = (status: number, description: string) => {
      route.responses[status] ??= problem(description);
    };
    const { params, query, body } = route.request ?? {};
    const idempotent = route.method === 'post' && !isServePath(route.path);
    if (params || query || body || idempotent) add(400, 'Invalid request: `errors` lists each invalid field (path, query, body or Idempotency-Key header)');
    if (route.security || (route.path.startsWith('/v1/') && !isServePath(route.path))) add(401, 'Missing, unknown or revoked API key');
    if (route['x-roles']) add(403, `Only ${route['x-roles'].join(' or ')} keys may do this`);
    if (params) add(404, 'Not found, or not yours');
    if (idempotent) {
      add(409, 'A request with the same Idempotency-Key is still running');
      add(422, 'The Idempotency-Key was used with another body');
    }
    if (body) {
      add(413, 'The body is over the size limit');
      add(415, 'The body is not application/json');
    }
    add(500, 'Something went wrong on our side; the detail quotes the request id');
  }
}

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ description: 'Items per page' }),
  cursor: z.string().optional().openapi({ description: 'The nextCursor of the previous page' }),
});
