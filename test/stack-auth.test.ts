/**
 * Sign-in in the CDK stack (issue [10], lib/auth/sign-in.ts): the Cognito user pool, its groups
 * and the console's app client, the first admin from `-c adminEmail`, the API function's OIDC
 * settings and CORS for the console's origin only — proven on the synthesized template, one
 * synth per context variant. Bundling is skipped: these stacks are read, not deployed.
 */

import { rmSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ROLES } from '../core/access/principal';
import { derivedPrefix } from '../lib/auth/sign-in';
import { addNagChecks } from '../lib/nag';
import { consoleOrigin, resolveSettings, StackSettingsError } from '../lib/settings';
import { TierdeskStack, type TierdeskStackProps } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { functionId } from './support/iam';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] };

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** As bin/app.ts does: settings from CDK context (`-c name=value`), then the stack. */
function synth(context: Record<string, string>, name: string, nag = false) {
  const outdir = `${process.env.TMPDIR ?? '/tmp'}/tierdesk-auth-${process.pid}-${name}`;
  outdirs.push(outdir);
  const app = appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [], ...context }, outdir });
  const settings = resolveSettings({}, (setting) => app.node.tryGetContext(setting));
  const stack = new TierdeskStack(app, name, { ...settings, policy: 'caret' } satisfies TierdeskStackProps);
  let nagFindings: unknown;
  if (nag) {
    addNagChecks(app);
    try {
      app.synth(); // throws on any unacknowledged cdk-nag finding
    } catch (error) {
      nagFindings = error;
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
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
  const output = (prefix: string) => Object.entries(outputs).find(([id]) => id.startsWith(prefix))?.[1];
  return { stack, template, resources, ofType, one, output, nagFindings };
}

const CONSOLE = 'https://desk.example.com/console/';
const ADMIN = 'ops@vendor.example';
/** The deploy of the docs: a console, the first admin, MFA required; cdk-nag runs on it. */
const configured = synth({ consoleUrl: CONSOLE, adminEmail: ADMIN, signInMfa: 'required', signInDomainPrefix: 'vendor-desk' }, 'Configured', true);
/** `npx cdk deploy` with no sign-in settings. */
const bare = synth({}, 'Bare');

describe('the user pool', () => {
  it("takes no self sign-up: only an admin creates people (staff and customers' users alike)", () => {
    for (const { one } of [bare, configured]) expect(one('AWS::Cognito::UserPool')[1].Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
  });

  it('signs in with a verified email (case-insensitive) and recovers accounts by email only', () => {
    expect(bare.one('AWS::Cognito::UserPool')[1].Properties).toMatchObject({
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('asks for 12-character passwords of four kinds; a temporary one lasts 7 days', () => {
    expect(bare.one('AWS::Cognito::UserPool')[1].Properties.Policies.PasswordPolicy).toEqual({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 7,
    });
  });

  it('offers TOTP MFA (no SMS) to everyone by default, and requires it with signInMfa=required', () => {
    expect(bare.one('AWS::Cognito::UserPool')[1].Properties).toMatchObject({ MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
    expect(configured.one('AWS::Cognito::UserPool')[1].Properties).toMatchObject({ MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
  });

  it('is on the Lite plan (no threat protection: Plus bills every active user), retained and deletion-protected', () => {
    const [, pool] = bare.one('AWS::Cognito::UserPool');
    expect(pool.Properties.UserPoolTier).toBe('LITE');
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('has the custom attributes customer and partner, bounded like every id', () => {
    const schema = bare.one('AWS::Cognito::UserPool')[1].Properties.Schema as { Name: string }[];
    for (const name of ['customer', 'partner']) {
      expect(schema.find((attribute) => attribute.Name === name)).toEqual({ Name: name, AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MinLength: '1', MaxLength: '64' } });
    }
  });

  it('has one group per role, the most privileged first, retained with the pool', () => {
    const groups = bare.ofType('AWS::Cognito::UserPoolGroup').map(([, group]) => group);
    expect(groups.map((group) => [group.Properties.GroupName, group.Properties.Precedence]).sort((a, b) => a[1] - b[1])).toEqual(ROLES.map((role, index) => [role, index]));
    for (const group of groups) expect(group.DeletionPolicy).toBe('Retain');
  });

  it('invites people with a mail that names the console', () => {
    const invite = configured.one('AWS::Cognito::UserPool')[1].Properties.AdminCreateUserConfig.InviteMessageTemplate;
    expect(invite.EmailMessage).toContain(CONSOLE);
    expect(invite.EmailMessage).toMatch(/\{username\}[\s\S]*\{####\}/);
  });
});

describe("the console's app client", () => {
  const client = (built: typeof bare) => built.one('AWS::Cognito::UserPoolClient')[1].Properties;

  it('is public and uses only the authorization-code flow (PKCE in the console): no secret, no implicit grant, no password flows', () => {
    expect(client(bare)).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
  });

  it("returns only to the console: callback and sign-out URL from consoleUrl, the stack's console distribution without it", () => {
    expect(client(configured)).toMatchObject({ CallbackURLs: [CONSOLE], LogoutURLs: [CONSOLE] });
    const [distributionId] = bare.one('AWS::CloudFront::Distribution');
    const distributionUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/console/']] };
    expect(client(bare)).toMatchObject({ CallbackURLs: [distributionUrl], LogoutURLs: [distributionUrl] });
  });

  it('issues ID and access tokens for an hour and refresh tokens for 30 days', () => {
    expect(client(bare)).toMatchObject({
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('reads the customer and partner attributes but can write neither, nor the email', () => {
    const { ReadAttributes: read, WriteAttributes: write } = client(bare);
    expect(read).toEqual(expect.arrayContaining(['email', 'email_verified', 'custom:customer', 'custom:partner']));
    expect(write).toEqual(['name']);
  });

  it('signs in on a hosted domain: the prefix given, else the stack name and the account', () => {
    expect(configured.one('AWS::Cognito::UserPoolDomain')[1].Properties.Domain).toBe('vendor-desk');
    expect(bare.one('AWS::Cognito::UserPoolDomain')[1].Properties.Domain).toEqual({ 'Fn::Join': ['', ['bare-', { Ref: 'AWS::AccountId' }]] });
    expect(derivedPrefix('tierdesk-Prod_EU')).toBe('tierdesk-prod-eu');
    expect(derivedPrefix('my-aws-desk')).toBe('my-x-desk');
  });
});

describe('the first admin', () => {
  it('with -c adminEmail is created with a verified email, invited by mail and put in the admin group; both kept if the setting is dropped', () => {
    const [userId, user] = configured.one('AWS::Cognito::UserPoolUser');
    const [poolId] = configured.one('AWS::Cognito::UserPool');
    expect(user.Properties).toEqual({
      UserPoolId: { Ref: poolId },
      Username: ADMIN,
      UserAttributes: [
        { Name: 'email', Value: ADMIN },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    const [, membership] = configured.one('AWS::Cognito::UserPoolUserToGroupAttachment');
    expect(membership.Properties).toEqual({ UserPoolId: { Ref: poolId }, GroupName: 'admin', Username: ADMIN });
    const [adminGroupId] = configured.ofType('AWS::Cognito::UserPoolGroup').find(([, group]) => group.Properties.GroupName === 'admin')!;
    expect(membership.DependsOn).toEqual(expect.arrayContaining([userId, adminGroupId]));
    expect([user.DeletionPolicy, membership.DeletionPolicy]).toEqual(['Retain', 'Retain']);
    expect(configured.output('SignInFirstAdminEmail')?.Value).toBe(ADMIN);
    expect(configured.output('SignInCreateAdminCommand')).toBeUndefined();
  });

  it('without it is not created, and an output gives the one-line command that does it', () => {
    expect(bare.ofType('AWS::Cognito::UserPoolUser')).toEqual([]);
    expect(bare.ofType('AWS::Cognito::UserPoolUserToGroupAttachment')).toEqual([]);
    const [poolId] = bare.one('AWS::Cognito::UserPool');
    const command = bare.stack.resolve(bare.output('SignInCreateAdminCommand')!.Value) as { 'Fn::Join': [string, unknown[]] };
    const text = command['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
    const pool = JSON.stringify({ Ref: poolId });
    expect(text).toBe(
      `EMAIL=ops@example.com; aws cognito-idp admin-create-user --region {"Ref":"AWS::Region"} --user-pool-id ${pool} --username "$EMAIL" --user-attributes Name=email,Value="$EMAIL" Name=email_verified,Value=true --desired-delivery-mediums EMAIL` +
        ` && aws cognito-idp admin-add-user-to-group --region {"Ref":"AWS::Region"} --user-pool-id ${pool} --username "$EMAIL" --group-name admin`,
    );
  });
});

describe('the API', () => {
  it("verifies the console's ID tokens: the function knows the pool's issuer and the client id", () => {
    const [poolId] = bare.one('AWS::Cognito::UserPool');
    const [clientId] = bare.one('AWS::Cognito::UserPoolClient');
    const api = bare.resources[functionId(bare.template, 'index')]!;
    expect(api.Properties.Environment.Variables).toMatchObject({
      TIERDESK_OIDC_ISSUER: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: poolId }]] },
      TIERDESK_OIDC_AUDIENCE: { Ref: clientId },
    });
    // Only the API takes tokens from people.
    const others = bare.ofType('AWS::Lambda::Function').filter(([id]) => id !== functionId(bare.template, 'index'));
    for (const [, fn] of others) expect(fn.Properties.Environment?.Variables?.TIERDESK_OIDC_ISSUER).toBeUndefined();
  });

  it("answers cross-origin requests from the console's origin only, with the methods and headers the routes use", () => {
    const cors = (built: typeof bare) => built.one('AWS::ApiGatewayV2::Api')[1].Properties.CorsConfiguration;
    expect(cors(configured)).toEqual({
      AllowOrigins: ['https://desk.example.com'],
      AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      AllowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
      ExposeHeaders: ['location', 'idempotent-replayed', 'retry-after', 'www-authenticate'],
      AllowCredentials: false,
      MaxAge: 3600,
    });
    expect(cors(bare)).toBeUndefined(); // the distribution's origin, set once both exist (test/stack-console.test.ts)
    expect(JSON.stringify(cors(configured))).not.toContain('*');
  });
});

describe('outputs', () => {
  it('give the user pool, the client id, the issuer and the hosted sign-in page', () => {
    const [poolId] = configured.one('AWS::Cognito::UserPool');
    const [clientId] = configured.one('AWS::Cognito::UserPoolClient');
    const [domainId] = configured.one('AWS::Cognito::UserPoolDomain');
    expect(configured.output('SignInUserPoolId')?.Value).toEqual({ Ref: poolId });
    expect(configured.output('SignInClientId')?.Value).toEqual({ Ref: clientId });
    expect(JSON.stringify(configured.output('SignInIssuer')?.Value)).toContain('https://cognito-idp.');
    expect(configured.output('SignInHostedSignInUrl')?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: domainId },
          '.auth.',
          { Ref: 'AWS::Region' },
          '.amazoncognito.com/login?client_id=',
          { Ref: clientId },
          `&response_type=code&scope=openid+email+profile&redirect_uri=${encodeURIComponent(CONSOLE)}`,
        ],
      ],
    });
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged with the first admin and required MFA (the default stack: test/stack-security.test.ts)', () => {
    expect(configured.template.findResources('AWS::Cognito::UserPoolUser')).not.toEqual({});
    expect(configured.nagFindings).toBeUndefined();
  });
});

describe('sign-in settings', () => {
  const problemsOf = (context: Record<string, string>) => {
    try {
      resolveSettings({}, (name) => context[name]);
    } catch (error) {
      expect(error).toBeInstanceOf(StackSettingsError);
      return (error as StackSettingsError).problems;
    }
    return [];
  };

  it('refuse a bad value with a line naming the setting', () => {
    const problems = problemsOf({ adminEmail: 'ops', consoleUrl: 'desk.example.com', consoleOrigin: 'https://desk.example.com/', signInDomainPrefix: 'my-aws-desk', signInMfa: 'sometimes' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['adminEmail', 'consoleOrigin', 'consoleUrl', 'signInDomainPrefix', 'signInMfa']);
    expect(problems.find((problem) => problem.startsWith('consoleUrl'))).toContain('not a URL');
    expect(problems.find((problem) => problem.startsWith('signInMfa'))).toContain('"optional", "required"');
  });

  it('refuse console URLs Cognito refuses: plain http but on localhost, a fragment', () => {
    expect(problemsOf({ consoleUrl: 'http://desk.example.com/' })[0]).toMatch(/^consoleUrl: https/);
    expect(problemsOf({ consoleUrl: 'https://desk.example.com/#/home' })[0]).toMatch(/^consoleUrl: no "#fragment"/);
    expect(problemsOf({ consoleUrl: 'http://localhost:3000/' })).toEqual([]);
    expect(() => synth({ adminEmail: 'not-an-email' }, 'BadAdmin')).toThrow(/adminEmail: an email address/);
  });

  it("allow one origin: consoleOrigin, else the console URL's", () => {
    expect(consoleOrigin(resolveSettings({}, () => undefined))).toBeUndefined(); // the stack's console distribution
    expect(consoleOrigin(resolveSettings({ consoleUrl: 'https://desk.example.com:8443/app/' }, () => undefined))).toBe('https://desk.example.com:8443');
    expect(consoleOrigin(resolveSettings({ consoleUrl: CONSOLE, consoleOrigin: 'https://console.example.com' }, () => undefined))).toBe('https://console.example.com');
  });
});
