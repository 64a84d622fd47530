import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { servePaths } from '../../functions/http/routing.js';

export interface PlacardHttpApiProps {
  /** Management, market, orders, money, reports, docs: everything not on the hot path. */
  readonly api: IFunction;
  /** Decisions and tracking: the hot path. */
  readonly serve: IFunction;
  readonly logRetention: RetentionDays;
  readonly retainLogs: boolean;
}

/**
 * One HTTP API in front of both apps. The serve paths come from `functions/http/routing.ts` (the
 * local runner splits traffic by the same list); `$default` sends everything else to api, whose
 * Hono app answers 404s and problem+json itself.
 */
export class PlacardHttpApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PlacardHttpApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Placard public API',
      // The api function handles every path serve does not; created as the $default route.
      defaultIntegration: new HttpLambdaIntegration('Api', props.api),
      // Our own $default stage below, because the built-in one cannot take access-log settings.
      createDefaultStage: false,
    });

    const serve = new HttpLambdaIntegration('Serve', props.serve);
    for (const path of servePaths) {
      this.httpApi.addRoutes({ path, methods: [HttpMethod.ANY], integration: serve });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // HTTP API context variables only (the REST API "standard fields" include some HTTP APIs lack).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Every route, $default included, lives under httpApi, so one acknowledgment covers them.
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization happens in the application: `Authorization: Bearer <api key>` is resolved against hashed, ' +
        'revocable per-tenant keys in the table (functions/http/auth.ts) and each route checks the role; tracking ' +
        'links carry an HMAC signature. Health, OpenAPI and docs are public on purpose. A gateway authorizer would ' +
        'add a second lookup per request on the hot path.',
    });
  }

  /** The base URL clients call (the $default stage has no path prefix). */
  get url(): string {
    return this.stage.url;
  }
}
