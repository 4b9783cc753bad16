/**
 * The agent console in AWS (issue [11]): its built files (`console/dist`) in a private S3 bucket,
 * served by CloudFront through origin access control at `/console/`, HTTPS only, with the same
 * security headers the local gateway sends (security-headers.ts), and a `config.json` the stack
 * writes (API URL, issuer, client id), so one build serves every stage. docs/console.md.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { nagRef } from '../nag';
import { CACHE_IMMUTABLE, CONSOLE_PATH, CONSOLE_SCOPES, type ConsoleConfig, contentSecurityPolicy, HASHED_ASSETS_DIR, HSTS_MAX_AGE_SECONDS } from './security-headers';

export interface ConsoleHostingProps {
  /** The built console: index.html and assets/ (`console/dist`; tests give a small fake). */
  assetDirectory: string;
  /** What the console reads from config.json (tokens are fine: the deployment resolves them). */
  config: { apiUrl: string; issuer: string; clientId: string; stage: string };
  /** Origins the console fetches from besides its own (CSP connect-src): the API, the issuer, the hosted sign-in domain. */
  connectSources: string[];
  /** A domain of the vendor's (with an ACM certificate in us-east-1): TLS 1.2+ for viewers. Absent: the distribution's own *.cloudfront.net name. */
  customDomain?: { domainName: string; certificateArn: string };
}

/** Where CloudFront and the bucket write their access logs, and for how long they are kept. */
const LOG_RETENTION = Duration.days(90);

/**
 * Runs at every viewer request, before the cache: `/` and `/console` lead to `/console/`, and a
 * path under /console/ without a file extension is one of the console's routes, answered with its
 * index.html (as the local gateway does), so a reload or a shared link to /console/tickets/42 works.
 */
export const CONSOLE_ROUTING_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '${CONSOLE_PATH.slice(0, -1)}') {
    return { statusCode: 308, statusDescription: 'Permanent Redirect', headers: { location: { value: '${CONSOLE_PATH}' } } };
  }
  if (uri.indexOf('${CONSOLE_PATH}') === 0 && uri.substring(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = '${CONSOLE_PATH}index.html';
  }
  return request;
}`;

export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly responseHeaders: ResponseHeadersPolicy;
  /** `https://<domain>` — the one origin the API's CORS allows when no consoleUrl is set. */
  readonly origin: string;
  /** `https://<domain>/console/` — the Cognito client's callback and sign-out URL by default. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const built = existsSync(join(props.assetDirectory, 'index.html'));
    // A synth that bundles (cdk synth / deploy) ships the console, so it must be built; a synth that
    // skips bundling (the template tests) is read, not deployed, and needs only config.json.
    if (!built && Stack.of(this).bundlingRequired) {
      throw new Error(`tierdesk console: ${join(props.assetDirectory, 'index.html')} not found. Run \`npm run console:build\` first (\`npm run synth\` does it for you).`);
    }

    this.logBucket = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are delivered with an ACL: the bucket must accept ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-logs', expiration: LOG_RETENTION }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({ id: 'AwsSolutions-S1', reason: "This is the access-log bucket of the console's distribution and bucket; logging its own access would log forever." });

    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED, // OAC reads SSE-S3 objects with no key policy to keep in step
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // CHOSEN: not versioned. The files are a build of the repository, deployed again by every
      // `cdk deploy`; superseded hashed assets stay anyway (not pruned) for tabs still open.
      versioned: false,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'console-bucket/',
    });

    this.responseHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'tierdesk console: strict CSP (self, the API and sign-in only), HSTS, nosniff, no referrer, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.connectSources), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      },
    });

    const routing = new CloudFrontFunction(this, 'Routing', {
      comment: 'tierdesk console: / to /console/, console routes to index.html',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(CONSOLE_ROUTING_FUNCTION),
    });

    const domain = props.customDomain;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'tierdesk console',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED, // honours the files' Cache-Control (immutable / no-cache)
        responseHeadersPolicy: this.responseHeaders,
        functionAssociations: [{ function: routing, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      // CHOSEN: North America, Europe and Israel edges only: the lowest price class; elsewhere the
      // console still loads, from a farther edge (a few kilobytes, then API calls that go to the region anyway).
      priceClass: PriceClass.PRICE_CLASS_100,
      // TLS 1.2+ needs a certificate of one's own: on the default *.cloudfront.net one CloudFront fixes the policy (docs/console.md).
      ...(domain
        ? { domainNames: [domain.domainName], certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn), minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021 }
        : {}),
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.origin = `https://${domain?.domainName ?? this.distribution.distributionDomainName}`;
    this.url = `${this.origin}${CONSOLE_PATH}`;

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: "CHOSEN: no geo restriction. A vendor's customers and support staff sign in from anywhere; the files are public code, and the API and sign-in decide who gets data.",
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'CHOSEN: no WAF web ACL (about $5 a month plus $1 per rule and $0.60 per million requests, per stage). The distribution serves only static files from a private bucket (GET/HEAD); the API it calls has its own throttling (API_THROTTLE) and checks every token.',
      },
      ...(domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                "Without a custom domain the distribution uses CloudFront's *.cloudfront.net certificate, for which CloudFront fixes the security policy (TLSv1); set consoleDomainName and consoleCertificateArn for TLS 1.2+ (TLSv1.2_2021, docs/console.md). Browsers negotiate TLS 1.2/1.3 with it anyway.",
            },
          ]),
    );

    const files = [
      // Content-hashed: a new build has new names, so these are cached for good and never pruned
      // (a tab opened before a deploy may still load its chunks).
      ...(built && existsSync(join(props.assetDirectory, HASHED_ASSETS_DIR))
        ? [
            new BucketDeployment(this, 'HashedAssets', {
              sources: [Source.asset(join(props.assetDirectory, HASHED_ASSETS_DIR))],
              destinationBucket: this.bucket,
              destinationKeyPrefix: `${CONSOLE_PATH.slice(1)}${HASHED_ASSETS_DIR}/`,
              cacheControl: [CacheControl.fromString(CACHE_IMMUTABLE)],
              prune: false,
              memoryLimit: 512,
            }),
          ]
        : []),
    ];
    const config: ConsoleConfig = {
      apiUrl: props.config.apiUrl,
      oidc: { issuer: props.config.issuer, clientId: props.config.clientId, scopes: CONSOLE_SCOPES },
      stage: props.config.stage,
    };
    // index.html, config.json and the unhashed rest: revalidated on every load, invalidated on deploy.
    const entry = new BucketDeployment(this, 'Entry', {
      sources: [...(built ? [Source.asset(props.assetDirectory, { exclude: [`${HASHED_ASSETS_DIR}/**`] })] : []), Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PATH.slice(1),
      exclude: [`${HASHED_ASSETS_DIR}/*`], // never prune the hashed assets (above)
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}*`],
      memoryLimit: 512,
    });
    // The new index.html names the new hashed files: they must be there first.
    for (const deployment of files) entry.node.addDependency(deployment);

    acknowledgeDeploymentHandler(entry, this.bucket);

    new CfnOutput(this, 'Url', { value: this.url, description: 'The agent console' });
  }
}

/**
 * BucketDeployment's function is CDK's own (one per stack and memory size, at the stack's root):
 * its runtime, role and policy are CDK's to keep current, and it runs only during a deploy.
 */
function acknowledgeDeploymentHandler(deployment: BucketDeployment, bucket: Bucket): void {
  const stack = Stack.of(deployment);
  for (const handler of stack.node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))) {
    Validations.of(handler).acknowledge(
      { id: 'AwsSolutions-L1', reason: "CDK's BucketDeployment function: its Python runtime is chosen and upgraded by aws-cdk-lib, not by this stack." },
      { id: 'Serverless-LambdaLatestVersion', reason: "As AwsSolutions-L1: the runtime of CDK's BucketDeployment function is aws-cdk-lib's." },
      { id: 'Serverless-LambdaDLQ', reason: 'Invoked synchronously by CloudFormation during a deploy: a failure fails (and rolls back) the deploy; there is no event to park.' },
      { id: 'Serverless-LambdaTracing', reason: 'Runs a few seconds per deploy (copies the console files); its logs say what it copied. Tracing adds nothing.' },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "Only CloudWatch Logs writes, which CDK's BucketDeployment function is given this way.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason: "CDK's grants to its BucketDeployment function: read the CDK asset (the zipped console) and write, list and prune the console bucket — no other bucket.",
      },
      { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: "As s3:GetObject*: CDK's read grant on the asset bucket and the console bucket." },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: 'As s3:GetObject*: listing the console bucket to prune files no longer in the build.' },
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: 'As s3:GetObject*: pruning files of the console bucket no longer in the build.' },
      { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason: 'As s3:GetObject*: aborting its own multipart uploads to the console bucket.' },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: "CDK's bootstrap asset bucket, where the zipped console is uploaded by `cdk deploy`: the asset's key is only known at deploy.",
      },
      { id: `AwsSolutions-IAM5[Resource::${nagRef(bucket, 'Arn')}/*]`, reason: 'Every object of the console bucket: the deployment writes and prunes the whole build.' },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: "cloudfront:CreateInvalidation and GetInvalidation (invalidating /console/* after a deploy) support no resource-level permissions in CDK's grant.",
      },
    );
  }
}
