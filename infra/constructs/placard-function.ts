import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

/** What a function may do with the table: the grant and `TABLE_NAME` always travel together. */
export type TableAccess = 'read' | 'readWrite';

export interface PlacardFunctionProps {
  /** Entry file under `functions/`, without extension: `api`, `serve`, `jobs`, `stream`. */
  readonly entry: string;
  readonly description: string;
  readonly stage: string;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly logRetention: RetentionDays;
  /** Log groups of a retained stage outlive the stack, like the table. */
  readonly retainLogs: boolean;
  readonly environment?: Record<string, string>;
  /** Retries of asynchronous invocations (Lambda's default is 2). */
  readonly retryAttempts?: number;
  /** Shell commands run after esbuild, to ship non-JS files next to the bundle. */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));

// The bundle is ESM, but some dependencies still call `require` for Node built-ins; esbuild's
// ESM output has no `require`, so give it one.
const requireBanner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * esbuild settings of every Lambda bundle. `keepNames`: minification would otherwise rename
 * classes, and domain errors take their `name` from `new.target.name` (logs and problem
 * documents would say "e" instead of "ConflictError").
 */
export const BUNDLE_OPTIONS = {
  minify: true,
  keepNames: true,
  sourceMap: true,
  // Maps stay small: stack traces need line mappings, not a second copy of the source.
  sourcesContent: false,
  target: 'node22',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: requireBanner,
  externalModules: ['@aws-sdk/*'],
} as const;

/** How cdk-nag spells the `<table ARN>/index/*` resource that the table's data grants add. */
function indexArnFinding(table: ITable): string {
  const arn: unknown = Stack.of(table).resolve(table.tableArn);
  const getAtt = (arn as { 'Fn::GetAtt'?: [string, string] } | null)?.['Fn::GetAtt'];
  return getAtt ? `<${getAtt[0]}.${getAtt[1]}>/index/*` : `${String(arn)}/index/*`;
}

/**
 * Every Lambda's house defaults in one place: Node 22 on arm64, an esbuild ESM bundle without the
 * AWS SDK (the runtime provides it), source maps switched on, its own log group with retention,
 * active tracing, and a role that starts with nothing but its own log group.
 */
export class PlacardFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PlacardFunctionProps) {
    // Log group and role are siblings (`<id>Logs`, `<id>Role`), not children: they must exist
    // before `super()`, which is when the function is created.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any
    // log group in the account; this one writes to its own only.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    const afterBundling = props.afterBundling;
    const commandHooks: ICommandHooks | undefined = afterBundling && {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) => afterBundling(inputDir, outputDir),
    };

    super(scope, id, {
      entry: `${functionsDir}${props.entry}.ts`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      role,
      logGroup,
      environment: {
        STAGE: props.stage,
        // Stack traces point at the TypeScript source, via the bundled source maps.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        ...BUNDLE_OPTIONS,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        externalModules: [...BUNDLE_OPTIONS.externalModules],
        ...(commandHooks ? { commandHooks } : {}),
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project pins (DESIGN.md §2; local Node and CI match it). Moving to a newer ' +
        'runtime is a deliberate upgrade with the test suite, not something a linter should push on every synth.',
    });
    // X-Ray has no resource-level permissions, so the tracing grant is necessarily `*`.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing: xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*".',
    });
  }

  /** Grants table access and sets `TABLE_NAME` together, so neither can be forgotten. */
  bindTable(table: ITable, access: TableAccess): this {
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    this.addEnvironment('TABLE_NAME', table.tableName);
    if (this.role) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${indexArnFinding(table)}]`,
        reason:
          'The data grants cover the table and its indexes, `<table ARN>/index/*`: the wildcard spans only this ' +
          "table's own GSIs (queries on gsi1 need it) and no other table.",
      });
    }
    return this;
  }

  /** Grants read on the tracking-link signing secret and tells the function where it is. */
  bindTrackingSecret(secret: ISecret): this {
    secret.grantRead(this);
    this.addEnvironment('TRACKING_SECRET_ARN', secret.secretArn);
    return this;
  }
}
