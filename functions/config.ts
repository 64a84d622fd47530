// zod/mini: the same validation at a tenth of the bundle size, which the serve function's cold start needs.
import * as z from 'zod/mini';

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * The environment, parsed once. A missing or malformed setting fails at cold start, not on the
 * first request that needs it.
 */
const schema = z.object({
  STAGE: z._default(z.string(), 'dev'),
  TABLE_NAME: z._default(z.string().check(z.minLength(1)), 'placard'),
  /** Set locally (DynamoDB Local); absent on AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  CURRENCY: z._default(z.string().check(z.length(3)), 'CNY'),
  PLATFORM_FEE_BPS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10_000)), 1000),
  OWNER_RESPONSE_HOURS: z._default(z.coerce.number().check(z.positive()), 48),
  REVIEW_WINDOW_HOURS: z._default(z.coerce.number().check(z.positive()), 72),
  IDEMPOTENCY_TTL_HOURS: z._default(z.coerce.number().check(z.positive()), 24),
  /** The IANA time zone of the accounts' publish dates: a slot dated before today there is past. */
  MARKET_TIMEZONE: z._default(z.string().check(z.refine(isTimeZone, 'must be an IANA time zone')), 'Asia/Shanghai'),
  MAX_BODY_BYTES: z._default(z.coerce.number().check(z.int(), z.positive()), 64 * 1024),
  /** Locally the signing secret comes straight from the environment… */
  TRACKING_SECRET: z.optional(z.string().check(z.minLength(32))),
  /** …on AWS from Secrets Manager. */
  TRACKING_SECRET_ARN: z.optional(z.string()),
  TRACKING_TOKEN_TTL_HOURS: z._default(z.coerce.number().check(z.positive()), 24),
  /** Public base URL for tracking links (e.g. https://api.example.com). */
  PUBLIC_BASE_URL: z.optional(z.url()),
  /** Webhooks: endpoints per tenant, request timeout, retry schedule (base × 2^(attempt−1), capped) and attempts before giving up. */
  WEBHOOKS_PER_TENANT: z._default(z.coerce.number().check(z.int(), z.positive()), 10),
  WEBHOOK_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 5000),
  WEBHOOK_RETRY_BASE_SECONDS: z._default(z.coerce.number().check(z.positive()), 30),
  WEBHOOK_RETRY_MAX_SECONDS: z._default(z.coerce.number().check(z.positive()), 3600),
  WEBHOOK_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.positive()), 8),
  /** Serving (issue 5): ad units cached per instance, budget/spend view refresh, request/fill counters flushed, dedupe items kept past token expiry. */
  AD_UNIT_CACHE_SECONDS: z._default(z.coerce.number().check(z.positive()), 30),
  BUDGET_REFRESH_SECONDS: z._default(z.coerce.number().check(z.positive()), 5),
  COUNTER_FLUSH_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 1000),
  /**
   * How long a viewer read waits for others to share its BatchGetItem. 0 (the default, right for
   * Lambda, which serves one request at a time): only the current event-loop turn. A server with
   * many requests in flight batches more with 1 (quick bench: ~1 570 → ~1 730 decisions/s).
   */
  VIEWER_BATCH_WAIT_MS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 0),
  /** How often a conflicting billing transaction on a hot budget item is retried before giving up. */
  BILLING_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.positive()), 200),
  /**
   * People and sessions (issue 12): scrypt cost as log2 N (r = 8, p = 1; 15 → 32 MiB and about
   * 0.1 s per hash), session, invite and password-reset lifetimes, and sign-in attempts allowed
   * per account and per address in each window.
   */
  SCRYPT_COST: z._default(z.coerce.number().check(z.int(), z.minimum(10), z.maximum(20)), 15),
  SESSION_TTL_HOURS: z._default(z.coerce.number().check(z.positive()), 168),
  INVITE_TTL_HOURS: z._default(z.coerce.number().check(z.positive()), 72),
  PASSWORD_RESET_TTL_HOURS: z._default(z.coerce.number().check(z.positive()), 24),
  SIGNIN_WINDOW_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 900),
  SIGNIN_MAX_PER_ACCOUNT: z._default(z.coerce.number().check(z.int(), z.positive()), 10),
  SIGNIN_MAX_PER_ADDRESS: z._default(z.coerce.number().check(z.int(), z.positive()), 50),
  /** Wall time one marketplace plan may take before it answers with its certified greedy plan (work is bounded too). */
  MATCH_PLAN_TIME_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 500),
  /** How long a list's nextCursor stays valid. */
  CURSOR_TTL_HOURS: z._default(z.coerce.number().check(z.positive()), 24),
  /** Where the interactive docs' static assets are (the Lambda bundle copies them here). */
  DOCS_ASSETS_DIR: z.optional(z.string()),
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
