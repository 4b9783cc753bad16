/**
 * The console in the stack (issue [11], lib/console/console-hosting.ts): a private bucket read by
 * CloudFront through origin access control, HTTPS only, the strict CSP naming exactly the API and
 * Cognito origins, config.json written by the stack, the Cognito callback and the API's CORS on the
 * distribution unless -c consoleUrl says otherwise, cdk-nag clean. A small fake console/dist is
 * deployed (test/support/fake-console.ts); bundling is skipped: these stacks are read, not deployed.
 */

import { rmSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_ROUTING_FUNCTION } from '../lib/console/console-hosting';
import { addNagChecks } from '../lib/nag';
import { resolveSettings, StackSettingsError } from '../lib/settings';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { fakeConsoleDist } from './support/fake-console';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const dist = fakeConsoleDist();
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of [dist, ...outdirs]) rmSync(dir, { recursive: true, force: true });
});

function synth(name: string, context: Record<string, string> = {}, options: { nag?: boolean; bundling?: boolean; assets?: string } = {}) {
  const outdir = `${process.env.TMPDIR ?? '/tmp'}/tierdesk-console-${process.pid}-${name}`;
  outdirs.push(outdir);
  const app = appAsDeployed({ context: { ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context }, outdir });
  const settings = resolveSettings({}, (setting) => app.node.tryGetContext(setting));
  const stack = new TierdeskStack(app, name, { ...settings, policy: 'caret', consoleAssets: options.assets ?? dist });
  let nagError: unknown;
  if (options.nag) {
    addNagChecks(app);
    try {
      app.synth();
    } catch (error) {
      nagError = error;
    }
  }
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const one = (type: string) => {
    const found = ofType(type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  /** A CloudFormation value as text, each reference shown as {"Ref":…} or {"Fn::GetAtt":…}. */
  const text = (value: unknown): string => {
    const resolved = stack.resolve(value) as any;
    if (typeof resolved === 'string') return resolved;
    if (resolved?.['Fn::Join']) return (resolved['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(resolved['Fn::Join'][0]);
    return JSON.stringify(resolved);
  };
  return { stack, template, resources, ofType, one, text, nagError };
}

const bare = synth('Bare', {}, { nag: true });
const configured = synth(
  'Configured',
  {
    consoleUrl: 'https://desk.example.com/console/',
    consoleDomainName: 'desk.example.com',
    consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  },
  { nag: true },
);

const ref = (id: string) => JSON.stringify({ Ref: id });
const att = (id: string, attribute: string) => JSON.stringify({ 'Fn::GetAtt': [id, attribute] });

describe('the bucket', () => {
  const filesBucket = () => bare.ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('ConsoleFiles'))!;

  it('is private: all public access blocked, SSL only, encrypted, its access logged', () => {
    const [id, bucket] = filesBucket();
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toBe('console-bucket/');
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
    const [, policy] = bare.ofType('AWS::S3::BucketPolicy').find(([, candidate]) => JSON.stringify(candidate.Properties.Bucket) === ref(id))!;
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // Only CloudFront, and only this distribution, may read: no "*" principal is allowed anything.
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    const [distributionId] = bare.one('AWS::CloudFront::Distribution');
    expect(JSON.stringify(allows[0].Condition)).toContain(distributionId);
  });

  it('is read through origin access control (SigV4), not a public website endpoint', () => {
    const [oacId, oac] = bare.one('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const [, distribution] = bare.one('AWS::CloudFront::Distribution');
    const [origin] = distribution.Properties.DistributionConfig.Origins;
    expect(JSON.stringify(origin.OriginAccessControlId)).toBe(att(oacId, 'Id'));
    expect(JSON.stringify(origin.DomainName)).toBe(att(filesBucket()[0], 'RegionalDomainName'));
    expect(bare.ofType('AWS::S3::Bucket').some(([, bucket]) => bucket.Properties.WebsiteConfiguration)).toBe(false);
  });
});

describe('the distribution', () => {
  const config = (built: typeof bare) => built.one('AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;

  it('serves HTTPS only (http is redirected), GET and HEAD, compressed, with its access logs', () => {
    expect(config(bare).DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], Compress: true });
    expect(config(bare).Logging.Prefix).toBe('cloudfront/');
  });

  it("asks TLS 1.2+ of viewers on a domain of the vendor's; on *.cloudfront.net CloudFront fixes the policy", () => {
    expect(config(configured).Aliases).toEqual(['desk.example.com']);
    expect(config(configured).ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(config(bare).ViewerCertificate).toBeUndefined();
  });

  it("routes / and the console's paths: a viewer-request function, index.html for paths without an extension", () => {
    const [functionId, fn] = bare.one('AWS::CloudFront::Function');
    expect(fn.Properties.FunctionCode).toBe(CONSOLE_ROUTING_FUNCTION);
    expect(config(bare).DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: JSON.parse(att(functionId, 'FunctionARN')) }]);
    // Run the function as CloudFront would.
    const handler = new Function(`${CONSOLE_ROUTING_FUNCTION}; return handler;`)() as (event: unknown) => any;
    const route = (uri: string) => handler({ request: { uri } });
    expect(route('/')).toMatchObject({ statusCode: 308, headers: { location: { value: '/console/' } } });
    expect(route('/console')).toMatchObject({ statusCode: 308 });
    expect(route('/console/').uri).toBe('/console/index.html');
    expect(route('/console/tickets/T-42').uri).toBe('/console/index.html');
    expect(route('/console/assets/index-AbC123.js').uri).toBe('/console/assets/index-AbC123.js');
    expect(route('/console/config.json').uri).toBe('/console/config.json');
  });

  it('sends the strict CSP naming exactly the API and Cognito origins, HSTS, nosniff, no referrer, no framing', () => {
    const [policyId, policy] = bare.one('AWS::CloudFront::ResponseHeadersPolicy');
    expect(JSON.stringify(config(bare).DefaultCacheBehavior.ResponseHeadersPolicyId)).toBe(ref(policyId));
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const [apiId] = bare.one('AWS::ApiGatewayV2::Api');
    const [domainId] = bare.one('AWS::Cognito::UserPoolDomain');
    expect(domainId).toBeTruthy();
    expect(bare.text(headers.ContentSecurityPolicy.ContentSecurityPolicy)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        `connect-src 'self' ${att(apiId, 'ApiEndpoint')} https://cognito-idp.{"Ref":"AWS::Region"}.{"Ref":"AWS::URLSuffix"} https://bare-{"Ref":"AWS::AccountId"}.auth.{"Ref":"AWS::Region"}.amazoncognito.com; ` +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(headers).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
    });
  });
});

describe('the deployment', () => {
  const deployments = (built: typeof bare) => built.ofType('Custom::CDKBucketDeployment');

  it('writes config.json with the API URL, the issuer and the client id: one build for every stage', () => {
    const entry = deployments(bare).find(([id]) => id.startsWith('ConsoleEntry'))![1].Properties;
    expect(entry.DestinationBucketKeyPrefix).toBe('console/');
    // Source.jsonData: the JSON with each reference as a marker, and the markers' values.
    const markers = entry.SourceMarkers.find((candidate: Record<string, unknown>) => Object.keys(candidate).length > 0) as Record<string, unknown>;
    const [apiId] = bare.one('AWS::ApiGatewayV2::Api');
    const [poolId] = bare.one('AWS::Cognito::UserPool');
    const [clientId] = bare.one('AWS::Cognito::UserPoolClient');
    const values = Object.values(markers).map((value) => JSON.stringify(value));
    expect(values).toContain(att(apiId, 'ApiEndpoint'));
    expect(values.some((value) => value.includes(ref(poolId)) && value.includes('cognito-idp'))).toBe(true);
    expect(values).toContain(ref(clientId));
    expect(entry.SystemMetadata).toMatchObject({ 'cache-control': 'no-cache' });
    expect(entry.Prune).toBe(true);
    expect(entry.Exclude).toEqual(['assets/*']);
    expect(entry.DistributionPaths).toEqual(['/console/*']);
  });

  it('ships hashed assets cacheable for good and never prunes them; index.html only after them', () => {
    const [assetsId, assets] = deployments(bare).find(([id]) => id.startsWith('ConsoleHashedAssets'))!;
    expect(assets.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'console/assets/', Prune: false, SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    const [, entry] = deployments(bare).find(([id]) => id.startsWith('ConsoleEntry'))!;
    expect(entry.DependsOn).toEqual(expect.arrayContaining([assetsId]));
  });

  it('refuses a deploy-shaped synth without a built console, saying how to build it', () => {
    expect(() => synth('Unbuilt', {}, { bundling: true, assets: `${dist}/missing` })).toThrow(/index\.html not found\. Run `npm run console:build` first/);
  });
});

describe('sign-in and CORS follow the console', () => {
  const client = (built: typeof bare) => built.one('AWS::Cognito::UserPoolClient')[1].Properties;

  it("by default the Cognito callback and sign-out URL are the distribution's https://<domain>/console/", () => {
    const [distributionId] = bare.one('AWS::CloudFront::Distribution');
    expect(client(bare).CallbackURLs.map(bare.text)).toEqual([`https://${att(distributionId, 'DomainName')}/console/`]);
    expect(client(bare).LogoutURLs.map(bare.text)).toEqual([`https://${att(distributionId, 'DomainName')}/console/`]);
  });

  it("by default the API allows the distribution's origin, set once both exist (the CSP names the API)", () => {
    const [apiId, api] = bare.one('AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    const [, cors] = bare.one('Custom::AWS');
    const [distributionId] = bare.one('AWS::CloudFront::Distribution');
    const create = bare.text(cors.Properties.Create);
    expect(create).toContain('"service":"ApiGatewayV2","action":"UpdateApi"');
    expect(create).toContain(`"AllowOrigins":["https://${att(distributionId, 'DomainName')}"]`);
    expect(create).toContain(`"ApiId":"${ref(apiId)}"`);
    expect(create).not.toContain('"*"');
  });

  it('with -c consoleUrl both follow the setting, and the template sets CORS itself', () => {
    expect(client(configured).CallbackURLs).toEqual(['https://desk.example.com/console/']);
    expect(configured.one('AWS::ApiGatewayV2::Api')[1].Properties.CorsConfiguration.AllowOrigins).toEqual(['https://desk.example.com']);
    expect(configured.ofType('Custom::AWS')).toEqual([]);
  });

  it('a console domain needs its certificate and the other way round', () => {
    const problems = (context: Record<string, string>) => {
      try {
        resolveSettings({}, (name) => context[name]);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(StackSettingsError);
        return (error as StackSettingsError).problems;
      }
    };
    expect(problems({ consoleDomainName: 'desk.example.com' })).toEqual(['consoleCertificateArn: required with consoleDomainName']);
    expect(problems({ consoleCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' })[0]).toMatch(
      /^consoleCertificateArn: an ACM certificate ARN in us-east-1/,
    );
    expect(problems({ consoleDomainName: 'Desk Example' })[0]).toMatch(/^consoleDomainName: a lower-case DNS name/);
  });
});

describe("CDK's deploy-time functions", () => {
  const statementsOfFunction = (prefix: string) => {
    const [, fn] = bare.ofType('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    return bare
      .ofType('AWS::IAM::Policy')
      .filter(([, policy]) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  };

  it('the console copy touches only the CDK asset bucket, the console bucket and its invalidations', () => {
    const [filesId] = bare.ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('ConsoleFiles'))!;
    for (const statement of statementsOfFunction('CustomCDKBucketDeployment')) {
      const actions = [statement.Action].flat();
      const resources = JSON.stringify(statement.Resource);
      if (actions.every((action) => action.startsWith('cloudfront:'))) expect(actions.sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
      else expect(resources.includes(filesId) || resources.includes('cdk-hnb659fds-assets'), resources).toBe(true);
    }
  });

  it('the CORS update may only PATCH this API', () => {
    const [apiId] = bare.one('AWS::ApiGatewayV2::Api');
    const statements = statementsOfFunction('AWS679f53fac002430cb0da5b7982bd2287');
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('apigateway:PATCH');
    expect(bare.text(statements[0]!.Resource)).toBe(`arn:{"Ref":"AWS::Partition"}:apigateway:{"Ref":"AWS::Region"}::/apis/${ref(apiId)}`);
  });
});

describe('cdk-nag', () => {
  it("finds nothing unacknowledged, with the distribution's domain or the vendor's", () => {
    expect(bare.nagError).toBeUndefined();
    expect(configured.nagError).toBeUndefined();
  });
});
