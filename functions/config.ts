import { z } from 'zod';

/**
 * The environment, parsed once. A missing or malformed setting fails at cold start, not on the
 * first request that needs it.
 */
const schema = z.object({
  STAGE: z.string().default('dev'),
  TABLE_NAME: z.string().min(1).default('placard'),
  /** Set locally (DynamoDB Local); absent on AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  CURRENCY: z.string().length(3).default('CNY'),
  PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(1000),
  OWNER_RESPONSE_HOURS: z.coerce.number().positive().default(48),
  REVIEW_WINDOW_HOURS: z.coerce.number().positive().default(72),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().positive().default(24),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  /** Locally the signing secret comes straight from the environment… */
  TRACKING_SECRET: z.string().min(32).optional(),
  /** …on AWS from Secrets Manager. */
  TRACKING_SECRET_ARN: z.string().optional(),
  TRACKING_TOKEN_TTL_HOURS: z.coerce.number().positive().default(24),
  /** Public base URL for tracking links (e.g. https://api.example.com). */
  PUBLIC_BASE_URL: z.url().optional(),
  /** Where the interactive docs' static assets are (the Lambda bundle copies them here). */
  DOCS_ASSETS_DIR: z.string().optional(),
});

export type Config = z.infer<typeof schema>;

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${fields}`);
  }
  return result.data;
}

let cached: Config | undefined;
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
