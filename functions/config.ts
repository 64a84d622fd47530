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
  /** The deployment stage; deployed stacks set it, and an unset one is treated as production. */
  STAGE: z._default(z.string(), 'prod'),
  /** `json` (one line per entry: the default, and what AWS gets) or `pretty` (indented, for reading locally). */
  LOG_FORMAT: z._default(z.enum(['json', 'pretty']), 'json'),
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
  /**
   * Let webhooks reach loopback, private, link-local and other non-public addresses (and use
   * plain http to localhost). Only for local development and tests: `npm start` and the test
   * setup turn it on; every deployed stage leaves it off, so tenant URLs cannot reach the VPC,
   * the metadata service or the machine itself.
   */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z._default(z.stringbool(), false),
  /** Deliveries of one tenant in flight at once, per delivery runner: one tenant's slow endpoints cannot hold up another's. */
  WEBHOOK_TENANT_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.positive()), 2),
  /** Circuit breaker: after this many failed attempts in a row an endpoint gets no attempts for the cool-down (its deliveries wait, unspent). */
  WEBHOOK_CIRCUIT_FAILURES: z._default(z.coerce.number().check(z.int(), z.positive()), 5),
  WEBHOOK_CIRCUIT_COOLDOWN_SECONDS: z._default(z.coerce.number().check(z.positive()), 300),
  /** How often the local runner (`npm start`) looks for due deliveries; on AWS the jobs schedule (every minute) does. */
  WEBHOOK_POLL_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 1000),
  /** Serving (issue 5): ad units cached per instance, budget/spend view refresh, request/fill counters flushed, dedupe items kept past token expiry. */
  AD_UNIT_CACHE_SECONDS: z._default(z.coerce.number().check(z.positive()), 30),
  BUDGET_REFRESH_SECONDS: z._default(z.coerce.number().check(z.positive()), 5),
  COUNTER_FLUSH_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 1000),
  /**
   * A decision waits for the campaign feed and budget view to refresh only when they are older
   * than this; younger, the refresh runs behind it. 0: every decision waits for a due refresh.
   */
  SERVE_STATE_MAX_AGE_SECONDS: z._default(z.coerce.number().check(z.minimum(0)), 5),
  /**
   * The auction (core/serving/auction.ts): the step above the runner-up's eCPM a winner pays, and
   * the smallest charge of a billed event (a free one would never settle). A winner that cannot
   * afford its charge is passed over, at most AUCTION_MAX_ROUNDS times a decision.
   */
  AUCTION_MIN_INCREMENT_MICROS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 1),
  AUCTION_MIN_CHARGE_MICROS: z._default(z.coerce.number().check(z.int(), z.positive()), 1),
  AUCTION_MAX_ROUNDS: z._default(z.coerce.number().check(z.int(), z.positive()), 8),
  /** Even daily pacing (core/serving/pacing.ts): how far ahead of the even spend line a campaign may spend. */
  PACING_LOOK_AHEAD_SECONDS: z._default(z.coerce.number().check(z.minimum(0)), 120),
  /**
   * How long a viewer read waits for others to share its BatchGetItem. 0 (the default, right for
   * Lambda, which serves one request at a time): only the current event-loop turn. A server with
   * many requests in flight batches more with 1 (quick bench: ~1 570 → ~1 730 decisions/s).
   */
  VIEWER_BATCH_WAIT_MS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 0),
  /**
   * Programmatic billing (issue 11, DESIGN §8). A write of the billing path (an event, a lease, a
   * flush) retries conflicts for at most BILLING_DEADLINE_MS (well inside the serve function's
   * timeout); what is then unsettled is left to the settlement job. Leases last LEASE_SECONDS,
   * hold at least LEASE_MIN_EVENTS charges and at most LEASE_MAX_MICROS; the job settles a lease
   * LEASE_GRACE_SECONDS after its end (longer than any write of it can still be in flight).
   * Postings and counters are summed per POSTING_INTERVAL_SECONDS and flushed every COUNTER_FLUSH_MS.
   */
  BILLING_DEADLINE_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 3000),
  LEASE_SECONDS: z._default(z.coerce.number().check(z.positive()), 60),
  LEASE_MIN_EVENTS: z._default(z.coerce.number().check(z.int(), z.positive()), 10),
  LEASE_MAX_MICROS: z._default(z.coerce.number().check(z.int(), z.positive()), 20_000_000),
  LEASE_GRACE_SECONDS: z._default(z.coerce.number().check(z.positive()), 120),
  POSTING_INTERVAL_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 10),
  /** Traffic quality (issue 10): billed events per source fingerprint per campaign per day, and per ad unit per hour. */
  SOURCE_CAMPAIGN_DAILY_LIMIT: z._default(z.coerce.number().check(z.int(), z.positive()), 50),
  SOURCE_UNIT_HOURLY_LIMIT: z._default(z.coerce.number().check(z.int(), z.positive()), 200),
  /** Days programmatic earnings stay pending (open to invalid-traffic rulings) before they can be paid out. */
  CLEARING_DAYS: z._default(z.coerce.number().check(z.positive()), 30),
  /**
   * Traffic quality (issue 10, README "Traffic quality"). Proxies in front of the platform that
   * append the client's address to X-Forwarded-For: 0 (the default) trusts no forwarded address
   * and takes API Gateway's source address (the socket's locally); N takes the Nth entry from the right.
   */
  TRUSTED_PROXY_HOPS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 0),
  /** An impression counts only this long after its decision (no page shows an ad in 0 ms). */
  MIN_IMPRESSION_DELAY_MS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 100),
  /** Decisions per minute per source (network fingerprint) and viewer id; over it → 429. */
  DECISIONS_PER_VIEWER_PER_MINUTE: z._default(z.coerce.number().check(z.int(), z.positive()), 120),
  /** Decisions per minute per source, whatever viewer ids it claims: sized for thousands of readers behind one carrier-grade NAT. */
  DECISIONS_PER_SOURCE_PER_MINUTE: z._default(z.coerce.number().check(z.int(), z.positive()), 6000),
  /** Entries in each bounded per-instance map of the serve path (sources, viewers, ad units). */
  SERVE_MEMORY_ENTRIES: z._default(z.coerce.number().check(z.int(), z.positive()), 100_000),
  /** A new floor on an ad unit takes effect this long after it is set, so floors cannot probe bids. */
  FLOOR_CHANGE_DELAY_HOURS: z._default(z.coerce.number().check(z.minimum(0)), 24),
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
