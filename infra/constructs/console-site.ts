import { existsSync } from 'node:fs';
import { Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

export interface ConsoleSiteProps {
  readonly httpApi: HttpApi;
  /** The built console (`console/dist`, made by the console's build); a placeholder page when it is missing. */
  readonly assetsDir: string;
  readonly retain: boolean;
}

/** Paths the HTTP API answers behind the distribution; everything else is the console's files. */
export const API_PATHS = ['/v1/*', '/t/*', '/openapi.json', '/docs', '/docs/*', '/health'] as const;

/**
 * The console on S3 behind CloudFront, with the HTTP API as a second origin for the API's paths,
 * so the console and the API share one origin and the session cookie is first-party (SameSite=Lax
 * holds, and the API's CSRF check compares `Origin` with the host the browser used, passed on in
 * `X-Forwarded-Host` by a viewer-request function since API Gateway must see its own Host).
 */
export class ConsoleSite extends Construct {
  readonly distribution: Distribution;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Not autoDeleteObjects: that adds a custom-resource function with broad delete rights to every stage.
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // The console is a single-page app under /console/: paths without a file extension get its index.
    const spaRouting = new CloudFrontFunction(this, 'SpaRouting', {
      comment: 'Serves console/index.html for the console’s own routes',
      code: FunctionCode.fromInline(
        "function handler(event) { var r = event.request; if (r.uri === '/' || r.uri === '/console' || (r.uri.indexOf('/console/') === 0 && r.uri.split('/').pop().indexOf('.') < 0)) { r.uri = '/console/index.html'; } return r; }",
      ),
    });
    const forwardHost = new CloudFrontFunction(this, 'ForwardHost', {
      comment: 'Passes the host the browser used to the API (its CSRF check)',
      code: FunctionCode.fromInline(
        "function handler(event) { var r = event.request; r.headers['x-forwarded-host'] = { value: r.headers.host.value }; return r; }",
      ),
    });

    const apiDomain = Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint));
    const api: BehaviorOptions = {
      origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Every header (cookies, Authorization, Origin) but Host, which API Gateway needs as its own.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      functionAssociations: [{ function: forwardHost, eventType: FunctionEventType.VIEWER_REQUEST }],
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Placard console and API',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        functionAssociations: [{ function: spaRouting, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(API_PATHS.map((path) => [path, api])),
    });

    new BucketDeployment(this, 'Deploy', {
      sources: [
        existsSync(props.assetsDir)
          ? Source.asset(props.assetsDir)
          : Source.data(
              'index.html',
              '<!doctype html><title>Placard</title><p>The console was not built: run <code>npm run build:console</code> before deploying.</p>',
            ),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/',
      distribution: this.distribution,
      distributionPaths: ['/console/*'],
    });

    acknowledge(this.bucket, {
      'AwsSolutions-S1':
        'The bucket holds only the console’s public build output, served through CloudFront; who fetched which file is not worth an access-log bucket.',
    });
    acknowledge(this.distribution, {
      'AwsSolutions-CFR1': 'The marketplace is open to advertisers and owners anywhere; no country is blocked.',
      'AwsSolutions-CFR2': 'No WAF web ACL by default: the API limits sign-in attempts itself; an operator can attach an ACL for their deployment.',
      'AwsSolutions-CFR3': 'The API behind it keeps its own access logs (HTTP API stage); the console’s static files need none.',
      'AwsSolutions-CFR4': 'The default *.cloudfront.net certificate: a deployment with its own domain supplies a certificate and TLSv1.2_2021.',
    });
    // BucketDeployment's provider function (one per stack, run at deploy time only) copies the build into the bucket.
    const bucketArn = Stack.of(this).resolve(this.bucket.bucketArn) as { 'Fn::GetAtt': [string, string] };
    const copyReason =
      'CDK’s BucketDeployment provider copies the console build from the CDK asset bucket into this bucket at deploy time (never on a request): it reads the asset objects and replaces the objects of this one bucket.';
    for (const child of Stack.of(this).node.findAll()) {
      if (!/^Custom::CDKBucketDeployment/.test(child.node.id)) continue;
      acknowledge(child, {
        'AwsSolutions-L1': 'CDK’s BucketDeployment provider pins its own Python runtime; it runs at deploy time only, never on a request.',
      });
      const role = child.node.findChild('ServiceRole');
      acknowledge(role, {
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
          'CDK’s BucketDeployment provider writes only its own logs with the managed basic-execution policy; it runs at deploy time.',
        ...Object.fromEntries(
          [
            'Action::s3:GetBucket*',
            'Action::s3:GetObject*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            'Action::s3:DeleteObject*',
            'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
            `Resource::<${bucketArn['Fn::GetAtt'][0]}.Arn>/*`,
            'Resource::*',
          ].map((f) => [`AwsSolutions-IAM5[${f}]`, copyReason]),
        ),
      });
    }
  }
}

function acknowledge(scope: Construct, reasons: Record<string, string>): void {
  for (const [id, reason] of Object.entries(reasons)) Validations.of(scope).acknowledge({ id, reason });
}
