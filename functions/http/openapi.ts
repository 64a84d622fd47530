import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { fieldIssues, validationProblem } from './problem.js';

/** A router whose validation failures all become the same 400 problem document. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) return validationProblem(fieldIssues(result.error.issues));
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
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

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ description: 'Items per page' }),
  cursor: z.string().optional().openapi({ description: 'The nextCursor of the previous page' }),
});
