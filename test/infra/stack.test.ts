import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { servePaths } from '../../functions/http/routing.js';
import { tableDefinition } from '../../functions/store/table.js';
import { API_PATHS } from '../../infra/constructs/console-site.js';
import { PlacardStack } from '../../infra/stack.js';

// The same feature flags as `cdk synth`, but no esbuild bundling: that is slow and is checked by a
// real synth, not here.
const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

const synthesized = new Map<string, { stack: PlacardStack; template: Template }>();
function synth(stage: string): { stack: PlacardStack; template: Template } {
  const cached = synthesized.get(stage);
  if (cached) return cached;
  const app = new App({ context: { ...cdkContext, stage, 'aws:cdk:bundling-stacks': [] } });
  const stack = new PlacardStack(app, `Placard-${stage}`, { stage });
  const result = { stack, template: Template.fromStack(stack) };
  synthesized.set(stage, result);
  return result;
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

describe('PlacardStack', () => {
  let stack: PlacardStack;
  let template: Template;
  const id = (construct: IConstruct): string => stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
  const getAtt = (construct: IConstruct, attribute = 'Arn'): unknown => ({ 'Fn::GetAtt': [id(construct), attribute] });
  const ref = (construct: IConstruct): unknown => ({ Ref: id(construct) });
  const fnProps = (construct: IConstruct): Record<string, unknown> =>
    (template.toJSON() as { Resources: Record<string, Resource> }).Resources[id(construct)]!.Properties;
  /** The statements of the inline policy attached to a function's role. */
  const statementsOf = (construct: IConstruct): Statement[] => {
    const role = (construct as unknown as { role: IConstruct }).role;
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(role)] } });
    return Object.values(policies)
      .flatMap((p) => (p as Resource).Properties.PolicyDocument as { Statement: Statement[] })
      .flatMap((d) => d.Statement);
  };
  const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

  beforeAll(() => {
    ({ stack, template } = synth('dev'));
  });

  describe('table', () => {
    it('takes its keys, indexes, TTL and stream from the store definition', () => {
      const keyNames = [tableDefinition.partitionKey, tableDefinition.sortKey, ...tableDefinition.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey])];
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayEquals(keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
        GlobalSecondaryIndexes: tableDefinition.globalIndexes.map((g) => ({
          IndexName: g.name,
          KeySchema: [
            { AttributeName: g.partitionKey, KeyType: 'HASH' },
            { AttributeName: g.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
      });
    });

    it('has the gsi1 index on gsi1pk/gsi1sk', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: Match.arrayWith([
          Match.objectLike({
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
          }),
        ]),
      });
    });

    it('is on-demand with point-in-time recovery', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('is disposable in dev', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    });

    it('is retained and deletion-protected in prod, with its logs and dead letters', () => {
      const prod = synth('prod').template;
      prod.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
      prod.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
      prod.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
      prod.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    });
  });

  describe('functions', () => {
    it('runs four functions on Node 22, arm64, traced, with source maps (and CDK’s deploy-time copier of the console)', () => {
      template.resourceCountIs('AWS::Lambda::Function', 5);
      for (const fn of Object.values(stack.functions)) {
        expect(fnProps(fn)).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps', STAGE: 'dev' }) },
        });
      }
    });

    it('gives each function its own log group with a retention', () => {
      for (const fn of Object.values(stack.functions)) {
        const logGroup = (fnProps(fn).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        const resource = (template.toJSON() as { Resources: Record<string, Resource> }).Resources[logGroup];
        expect(resource?.Type).toBe('AWS::Logs::LogGroup');
        expect(resource?.Properties.RetentionInDays).toBe(14);
      }
      expect(synth('prod').template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 90 } })).not.toEqual({});
    });

    it('tells every function its table, and api and serve where the tracking secret is', () => {
      for (const fn of Object.values(stack.functions)) {
        expect((fnProps(fn).Environment as { Variables: Record<string, unknown> }).Variables.TABLE_NAME).toEqual(ref(stack.table));
      }
      const env = (fn: IConstruct): Record<string, unknown> => (fnProps(fn).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env(stack.functions.api).TRACKING_SECRET_ARN).toEqual(ref(stack.trackingSecret));
      expect(env(stack.functions.serve).TRACKING_SECRET_ARN).toEqual(ref(stack.trackingSecret));
      expect(env(stack.functions.jobs).TRACKING_SECRET_ARN).toBeUndefined();
      expect(env(stack.functions.stream).TRACKING_SECRET_ARN).toBeUndefined();
      expect(env(stack.functions.api).DOCS_ASSETS_DIR).toBe('/var/task/docs-assets');
      expect(env(stack.functions.serve).PUBLIC_BASE_URL).toBeDefined();
    });
  });

  describe('grants', () => {
    it('lets every function read and write the table and its indexes, and nothing else in DynamoDB', () => {
      const tableArn = getAtt(stack.table);
      for (const fn of Object.values(stack.functions)) {
        const statements = statementsOf(fn);
        const data = statements.find((s) => actions(s).includes('dynamodb:PutItem'));
        expect(data?.Resource).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]);
        expect(actions(data!)).toEqual(
          expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem']),
        );
        // The only DynamoDB action on "*" is ListStreams, which has no resource-level permissions.
        const wildcard = statements.filter((s) => s.Resource === '*').flatMap(actions);
        expect(wildcard.filter((a) => a.startsWith('dynamodb:'))).toEqual(fn === stack.functions.stream ? ['dynamodb:ListStreams'] : []);
        expect(wildcard.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('xray:'))).toEqual([]);
      }
    });

    it('lets only api and serve read the tracking secret', () => {
      const readsSecret = (fn: IConstruct): boolean =>
        statementsOf(fn).some(
          (s) => actions(s).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource) === JSON.stringify(ref(stack.trackingSecret)),
        );
      expect(readsSecret(stack.functions.api)).toBe(true);
      expect(readsSecret(stack.functions.serve)).toBe(true);
      expect(readsSecret(stack.functions.jobs)).toBe(false);
      expect(readsSecret(stack.functions.stream)).toBe(false);
    });

    it('lets the stream function read the table stream and write to its dead-letter queue', () => {
      const statements = statementsOf(stack.functions.stream);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          Resource: getAtt(stack.table, 'StreamArn'),
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: getAtt(stack.deadLetterQueue) }),
      );
    });

    it('uses no AWS managed policies (each role writes only its own log group)', () => {
      for (const fn of Object.values(stack.functions)) {
        const role = (fn as unknown as { role: IConstruct }).role;
        expect((template.toJSON() as { Resources: Record<string, Resource> }).Resources[id(role)]!.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('HTTP API', () => {
    const integrationFor = (fn: IConstruct): string => {
      const found = template.findResources('AWS::ApiGatewayV2::Integration', { Properties: { IntegrationUri: getAtt(fn), PayloadFormatVersion: '2.0' } });
      expect(Object.keys(found)).toHaveLength(1);
      return Object.keys(found)[0]!;
    };
    const target = (integration: string): unknown => ({ 'Fn::Join': ['', ['integrations/', { Ref: integration }]] });

    it('routes the serve paths to serve and everything else to api', () => {
      const serve = integrationFor(stack.functions.serve);
      const api = integrationFor(stack.functions.api);
      template.resourceCountIs('AWS::ApiGatewayV2::Route', servePaths.length + 1);
      expect(servePaths).toEqual(expect.arrayContaining(['/v1/decisions', '/t/{proxy+}']));
      for (const path of servePaths) {
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `ANY ${path}`, Target: target(serve) });
      }
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', Target: target(api) });
    });

    it('logs access on the auto-deployed $default stage', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
      });
    });

    it('lets API Gateway invoke api and serve', () => {
      for (const fn of [stack.functions.api, stack.functions.serve]) {
        template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: getAtt(fn), Principal: 'apigateway.amazonaws.com' });
      }
    });
  });

  describe('background', () => {
    it('runs jobs every minute from an EventBridge rule', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: getAtt(stack.functions.jobs) })],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: getAtt(stack.functions.jobs), Principal: 'events.amazonaws.com' });
    });

    it('feeds the table stream to the stream function with bisection, bounded retries and a dead-letter queue', () => {
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: getAtt(stack.table, 'StreamArn'),
        FunctionName: ref(stack.functions.stream),
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: Match.anyValue(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: getAtt(stack.deadLetterQueue) } },
      });
    });

    it('keeps dead letters encrypted, TLS-only and for 14 days', () => {
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    });
  });

  describe('tracking secret', () => {
    it('is generated, long enough for the config (≥ 32 chars) and free of punctuation', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
    });
  });

  describe('alarms', () => {
    const alarm = (metric: string, dimension: Record<string, unknown>): void => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Dimensions: [dimension],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    };

    it('alarms on any error or throttle of each function', () => {
      for (const fn of Object.values(stack.functions)) {
        alarm('Errors', { Name: 'FunctionName', Value: ref(fn) });
        alarm('Throttles', { Name: 'FunctionName', Value: ref(fn) });
      }
    });

    it('alarms when a stream record reaches the dead-letter queue', () => {
      alarm('ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: getAtt(stack.deadLetterQueue, 'QueueName') });
      template.resourceCountIs('AWS::CloudWatch::Alarm', 4 * 2 + 1);
    });
  });

  describe('console', () => {
    const distribution = () => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as Resource;
    const behaviors = () =>
      (
        distribution().Properties.DistributionConfig as {
          CacheBehaviors: {
            PathPattern: string;
            AllowedMethods: string[];
            CachePolicyId: string;
            OriginRequestPolicyId: string;
            FunctionAssociations: unknown[];
          }[];
        }
      ).CacheBehaviors;

    it('serves the API’s paths through the same distribution as the console, uncached, every method, with the browser’s host passed on', () => {
      expect(
        behaviors()
          .map((b) => b.PathPattern)
          .sort(),
      ).toEqual([...API_PATHS].sort());
      for (const b of behaviors()) {
        expect(b.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'DELETE', 'PATCH']));
        expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
        expect(b.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // Managed-AllViewerExceptHostHeader
        expect(b.FunctionAssociations).toHaveLength(1);
      }
    });

    it('keeps the console’s bucket private (CloudFront reads it through origin access control) and TLS-only', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('deploys the console build under console/ and outputs its URL', () => {
      template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketKeyPrefix: 'console/' });
      template.hasOutput('ConsoleUrl', {});
    });
  });
});
