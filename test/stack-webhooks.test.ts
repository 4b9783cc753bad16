/** Webhook ingestion in the CDK stack (lib/webhooks/webhooks.ts), proven on the synthesized template. */

import { rmSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../core/policy/files';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { actionsOf, functionId, statementsOf } from './support/iam';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const POLICY = 'test/fixtures/webhooks-policy.yaml';
const INTEGRATIONS = loadPolicy(POLICY).integrations.map((integration) => integration.id);

const outdir = `${process.env.TMPDIR ?? '/tmp'}/tierdesk-cdk-webhooks-test-${process.pid}`;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  // Not bundled: these tests read the template and the state machine files; test/bundle.e2e.test.ts runs the bundles.
  const app = appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
  template = Template.fromStack(new TierdeskStack(app, 'Hooks', { policy: POLICY }));
  resources = template.toJSON().Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const webhooksId = () => functionId(template, 'webhooks');

/** The integrations' secrets (the API's cursor key is another secret: lib/api/http-api.ts). */
const integrationSecrets = (t: Template) =>
  Object.entries(t.findResources('AWS::SecretsManager::Secret') as Record<string, Resource>).filter(([, secret]) => String(secret.Properties.Name).includes('/integrations/'));
const secrets = () => integrationSecrets(template);

/** The route with this key, and the function its integration invokes. */
function route(t: Template, routeKey: string): { route: Resource; target: unknown } {
  const found = Object.values(t.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }) as Record<string, Resource>);
  expect(found).toHaveLength(1);
  const integrationId = found[0]!.Properties.Target['Fn::Join'][1][1].Ref;
  const integration = t.toJSON().Resources[integrationId] as Resource;
  expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  return { route: found[0]!, target: integration.Properties.IntegrationUri };
}

/** A stack synthesized without bundling (read only for its resources). */
const quickSynth = (policy: string) => Template.fromStack(new TierdeskStack(appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] } }), 'HooksQuick', { policy }));

describe('the webhook route', () => {
  it('sends POST /webhooks/{proxy+} to the webhooks function, with no authorizer (deliveries are verified by signature in the handler)', () => {
    const { route: webhooks, target } = route(template, 'POST /webhooks/{proxy+}');
    expect(target).toEqual({ 'Fn::GetAtt': [webhooksId(), 'Arn'] });
    expect(webhooks.Properties.AuthorizationType).toBe('NONE');
  });

  it('leaves every other request to the API function through $default', () => {
    expect(route(template, '$default').target).toEqual({ 'Fn::GetAtt': [functionId(template, 'index'), 'Arn'] });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
  });

  it('lets API Gateway invoke the webhooks function only for that route', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission') as Record<string, Resource>).filter((permission) =>
      JSON.stringify(permission.Properties.FunctionName).includes(webhooksId()),
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(permissions[0]!.Properties.SourceArn)).toMatch(/\/\*\/\*\/webhooks\/\{proxy\+\}"\]\]\}$/);
  });
});

describe('the integration secrets', () => {
  it('are one per integration, named <stack>/integrations/<id>', () => {
    expect(INTEGRATIONS).toEqual(['portal', 'forms', 'zendesk', 'stdhooks', 'slow', 'pbx', 'voice', 'livechat']);
    expect(
      secrets()
        .map(([, secret]) => secret.Properties.Name)
        .sort(),
    ).toEqual(INTEGRATIONS.map((id) => `Hooks/integrations/${id}`).sort());
  });

  it('start with a generated {"current": …} of 48 letters and digits, under the AWS-managed key', () => {
    for (const [, secret] of secrets()) {
      expect(secret.Properties.GenerateSecretString).toEqual({ SecretStringTemplate: '{}', GenerateStringKey: 'current', ExcludePunctuation: true, PasswordLength: 48 });
      expect(secret.Properties.KmsKeyId).toBeUndefined();
      expect(secret.Properties.SecretString).toBeUndefined();
    }
  });

  it("survive the stack's deletion or replacement: senders are configured with them", () => {
    for (const [, secret] of secrets()) expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it("say in their description that a Twilio integration takes the account's auth token", () => {
    const voice = secrets().find(([, secret]) => secret.Properties.Name === 'Hooks/integrations/voice')![1];
    expect(voice.Properties.Description).toMatch(/Twilio auth token/);
  });
});

describe('the webhooks function', () => {
  it('runs functions/webhooks/handler.ts on Node.js 22 ARM64, finding its secrets, the table, the policy and the machine in its environment', () => {
    const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
    expect(resources[webhooksId()]!.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 15 });
    expect(resources[webhooksId()]!.Properties.Environment.Variables).toMatchObject({
      TIERDESK_WEBHOOK_SECRET_PREFIX: 'Hooks/integrations/',
      TIERDESK_TABLE: { Ref: tableId },
      TIERDESK_POLICY: '/var/task/policy.json',
      TIERDESK_TICKET_STATE_MACHINE_ARN: { Ref: machineId },
    });
  });

  it("may read exactly the integrations' secrets, by their ARNs", () => {
    const statements = statementsOf(template, webhooksId()).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('secretsmanager:')));
    expect(new Set(actionsOf(statements))).toEqual(new Set(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']));
    const granted = statements.flatMap((statement) => [statement.Resource].flat());
    expect(granted).toHaveLength(INTEGRATIONS.length);
    expect(granted).toEqual(expect.arrayContaining(secrets().map(([id]) => ({ Ref: id }))));
    // No other role may read them.
    const readers = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter((policy) =>
      secrets().some(([id]) => JSON.stringify(policy.Properties.PolicyDocument).includes(`"${id}"`)),
    );
    expect(readers).toHaveLength(1);
  });

  it('reads and writes only the ticket table, starts and wakes executions, and nothing in S3 or SES', () => {
    const statements = statementsOf(template, webhooksId());
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
    for (const statement of statements.filter((s) => actionsOf([s]).every((action) => action.startsWith('dynamodb:')))) {
      expect(JSON.stringify(statement.Resource)).toContain(tableId);
    }
    expect(actionsOf(statements)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'states:StartExecution', 'states:DescribeExecution', 'states:SendTaskSuccess']),
    );
    const prefixes = new Set(actionsOf(statements).map((action) => action.split(':')[0]));
    expect([...prefixes].sort()).toEqual(['dynamodb', 'secretsmanager', 'states']);
  });

  it('has no wildcard action, and "*" as a resource only for states:SendTaskSuccess (task tokens name no machine)', () => {
    const statements = statementsOf(template, webhooksId());
    expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
    expect(statements.filter((statement) => [statement.Resource].flat().includes('*')).map((statement) => statement.Action)).toEqual(['states:SendTaskSuccess']);
  });
});

describe('the outputs', () => {
  it("give the webhook base URL and each secret's name", () => {
    const outputs = Object.values(template.toJSON().Outputs as Record<string, { Value: unknown }>).map((output) => output.Value);
    const apiId = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(outputs).toContainEqual({
      'Fn::Join': ['', ['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/webhooks/']],
    });
    for (const id of INTEGRATIONS) expect(outputs).toContain(`Hooks/integrations/${id}`);
  });
});

describe('a policy without integrations', () => {
  it('creates no secret and grants no Secrets Manager access, but keeps the function and its route', () => {
    expect(loadPolicy('caret').integrations).toEqual([]);
    const t = quickSynth('caret');
    expect(integrationSecrets(t)).toEqual([]);
    expect(JSON.stringify(statementsOf(t, functionId(t, 'webhooks')))).not.toContain('secretsmanager:');
    expect(route(t, 'POST /webhooks/{proxy+}').target).toEqual({ 'Fn::GetAtt': [functionId(t, 'webhooks'), 'Arn'] });
    expect(t.toJSON().Resources[functionId(t, 'webhooks')].Properties.Environment.Variables.TIERDESK_WEBHOOK_SECRET_PREFIX).toBe('HooksQuick/integrations/');
  });
});
