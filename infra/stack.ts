import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { PlacardAlarms } from './constructs/alarms.js';
import { ConsoleSite } from './constructs/console-site.js';
import { PlacardHttpApi } from './constructs/http-api.js';
import { PlacardFunction } from './constructs/placard-function.js';
import { PlacardTable } from './constructs/placard-table.js';
import { StreamProcessing } from './constructs/stream-processing.js';

export interface PlacardStackProps extends StackProps {
  /** `prod` keeps data (retain + deletion protection) and logs longer; anything else is disposable. */
  readonly stage: string;
  /** Base URL for tracking links when a custom domain fronts the API; defaults to the API's own URL. */
  readonly publicBaseUrl?: string;
}

/** Placard on AWS: one table, four functions, one HTTP API, the console on S3 + CloudFront in front of it (see DESIGN.md §2, §10). */
export class PlacardStack extends Stack {
  /** Exposed for the infra tests, which look resources up by these rather than by guessed logical ids. */
  readonly table: Table;
  readonly functions: Readonly<Record<'api' | 'serve' | 'jobs' | 'stream', PlacardFunction>>;
  readonly trackingSecret: Secret;
  readonly deadLetterQueue: Queue;
  readonly console: ConsoleSite;

  constructor(scope: Construct, id: string, props: PlacardStackProps) {
    super(scope, id, props);
    const prod = props.stage === 'prod';
    const logRetention = prod ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS;
    const common = { stage: props.stage, logRetention, retainLogs: prod };

    const { table } = new PlacardTable(this, 'Data', { retain: prod });

    const trackingSecret = new Secret(this, 'TrackingSecret', {
      description: 'HMAC key that signs tracking links',
      // The whole SecretString is the key (functions/store/secrets.ts); config wants ≥ 32 chars.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(trackingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Automatic rotation would invalidate every tracking link already handed out (they are verified with this ' +
        'one key until TRACKING_TOKEN_TTL_HOURS passes); the functions read one key, so rotation is a planned, manual step.',
    });

    const api = new PlacardFunction(this, 'ApiFunction', {
      ...common,
      entry: 'api',
      description: 'Placard api: management, market, orders, money, reports, docs',
      memorySize: 1024,
      // Under the HTTP API's 30 s integration limit, so the caller gets our error, not a 503.
      timeout: Duration.seconds(29),
      environment: { DOCS_ASSETS_DIR: '/var/task/docs-assets' },
      // /docs serves swagger-ui from these files; nothing comes from a CDN.
      afterBundling: (inputDir, outputDir) => [
        `mkdir -p "${outputDir}/docs-assets"`,
        `cp "${inputDir}/node_modules/swagger-ui-dist/swagger-ui-bundle.js" "${inputDir}/node_modules/swagger-ui-dist/swagger-ui.css" "${outputDir}/docs-assets/"`,
      ],
    })
      .bindTable(table, 'readWrite')
      .bindTrackingSecret(trackingSecret);

    // Memory buys CPU: the hot path gets more of both.
    const serve = new PlacardFunction(this, 'ServeFunction', {
      ...common,
      entry: 'serve',
      description: 'Placard serve: decisions and tracking (the hot path)',
      memorySize: 1769,
      timeout: Duration.seconds(10),
    })
      // Read-write: a decision bills and counts frequency caps; tracking records events.
      .bindTable(table, 'readWrite')
      .bindTrackingSecret(trackingSecret);

    const jobs = new PlacardFunction(this, 'JobsFunction', {
      ...common,
      entry: 'jobs',
      description: 'Placard jobs: expiry, auto-complete, pacing, payouts',
      // Finishes before the next tick starts another run.
      timeout: Duration.seconds(55),
      // A missed tick is picked up by the next one a minute later; async retries would only overlap it.
      retryAttempts: 0,
    }).bindTable(table, 'readWrite');

    const stream = new PlacardFunction(this, 'StreamFunction', {
      ...common,
      entry: 'stream',
      description: 'Placard stream: rollups, webhooks, index refresh',
      timeout: Duration.seconds(60),
    }).bindTable(table, 'readWrite');
    const streamProcessing = new StreamProcessing(this, 'StreamProcessing', { table, handler: stream, retainDeadLetters: prod });

    new Rule(this, 'JobsSchedule', {
      description: 'Runs the Placard jobs every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(jobs, { retryAttempts: 0 })],
    });

    const httpApi = new PlacardHttpApi(this, 'Http', { api, serve, logRetention, retainLogs: prod });
    const consoleSite = new ConsoleSite(this, 'Console', {
      httpApi: httpApi.httpApi,
      assetsDir: fileURLToPath(new URL('../console/dist', import.meta.url)),
      retain: prod,
    });
    const publicBaseUrl = props.publicBaseUrl ?? httpApi.httpApi.apiEndpoint;
    for (const fn of [api, serve]) fn.addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);

    new PlacardAlarms(this, 'Alarms', {
      functions: { api, serve, jobs, stream },
      deadLetterQueue: streamProcessing.deadLetterQueue,
    });

    this.table = table;
    this.functions = { api, serve, jobs, stream };
    this.trackingSecret = trackingSecret;
    this.deadLetterQueue = streamProcessing.deadLetterQueue;

    this.console = consoleSite;

    new CfnOutput(this, 'ApiUrl', { value: httpApi.url });
    new CfnOutput(this, 'ConsoleUrl', { value: `https://${consoleSite.distribution.distributionDomainName}/console/` });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }
}
