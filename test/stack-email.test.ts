/** Inbound email in the CDK stack (lib/email/inbound-email.ts), proven on the synthesized template. */

import { rmSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientsFromContext, validateRecipients } from '../lib/email/inbound-email';
import { TierdeskStack, type TierdeskStackProps } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { actionsOf, functionId, type Statement, statementsOf as statementsOfIn } from './support/iam';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const outdir = `${process.env.TMPDIR ?? '/tmp'}/tierdesk-cdk-email-test-${process.pid}`;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  // Not bundled: these tests read the template and the state machine files; test/bundle.e2e.test.ts runs the bundles.
  const app = appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
  template = Template.fromStack(new TierdeskStack(app, 'Mail', { policy: 'caret', inboundRecipients: ['support@example.com'] }));
  resources = template.toJSON().Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The one resource of a type (of the inbound email construct when `within` names its logical-id prefix). */
function only(type: string, within = ''): [string, Resource] {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(within));
  expect(found).toHaveLength(1);
  return found[0]!;
}

const bucketId = () => only('AWS::S3::Bucket', 'InboundEmailMailBucket')[0];
const ingestId = () => functionId(template, 'ingest');
const objectsArn = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, `/${prefix}*`]] });

const statementsOf = (fnId: string, options: { baseline?: boolean } = {}) => statementsOfIn(template, fnId, options);

/** A stack synthesized without bundling (read only for its resources). */
const quickSynth = (props: TierdeskStackProps, context: Record<string, unknown> = {}) =>
  Template.fromStack(new TierdeskStack(appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [], ...context } }), 'MailQuick', { policy: 'caret', ...props }));

describe('the mail bucket', () => {
  it('is encrypted with S3-managed keys, blocks all public access and keeps versions', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it("survives the stack's deletion: customers' mail is retained", () => {
    expect(resources[bucketId()]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('expires raw mail under inbound/ after 365 days (and its old versions), never attachments, and aborts stalled uploads', () => {
    const rules = resources[bucketId()]!.Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual([
      { Id: 'expire-raw-mail', Prefix: 'inbound/', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
      { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
    ]);
  });

  it('refuses every request not made over TLS', () => {
    const [, policy] = only('AWS::S3::BucketPolicy', 'InboundEmailMailBucket');
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('lets SES put objects only under inbound/, and only for this account', () => {
    const [, policy] = only('AWS::S3::BucketPolicy', 'InboundEmailMailBucket');
    const allows = (policy.Properties.PolicyDocument.Statement as Statement[]).filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Principal: { Service: 'ses.amazonaws.com' },
        Resource: objectsArn('inbound/'),
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });
});

describe('the SES receipt rule', () => {
  it('accepts the configured recipients, scanning for spam and viruses, over TLS only', () => {
    const [, rule] = only('AWS::SES::ReceiptRule');
    expect(rule.Properties.Rule).toMatchObject({ Enabled: true, Recipients: ['support@example.com'], ScanEnabled: true, TlsPolicy: 'Require' });
    const [ruleSetId, ruleSet] = only('AWS::SES::ReceiptRuleSet');
    expect(rule.Properties.RuleSetName).toEqual({ Ref: ruleSetId });
    // A predictable name for `aws ses set-active-receipt-rule-set`, also given as an output.
    expect(ruleSet.Properties.RuleSetName).toBe('Mail-inbound');
    const outputs = Object.values(template.toJSON().Outputs as Record<string, { Value: unknown }>);
    expect(outputs.map((output) => output.Value)).toContainEqual({ Ref: ruleSetId });
  });

  it('stores the raw message under inbound/ first, then invokes the ingest function asynchronously', () => {
    const [, rule] = only('AWS::SES::ReceiptRule');
    expect(rule.Properties.Rule.Actions).toEqual([
      { S3Action: { BucketName: { Ref: bucketId() }, ObjectKeyPrefix: 'inbound/' } },
      { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [ingestId(), 'Arn'] }, InvocationType: 'Event' } },
    ]);
  });

  it('is created only once SES may write to the bucket and invoke the function', () => {
    const [, rule] = only('AWS::SES::ReceiptRule');
    const [policyId] = only('AWS::S3::BucketPolicy', 'InboundEmailMailBucket');
    const [permissionId] = Object.entries(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'ses.amazonaws.com' } }))[0]!;
    expect(rule.DependsOn).toEqual(expect.arrayContaining([policyId, permissionId]));
  });

  it('lets only SES on behalf of this account invoke the ingest function', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission') as Record<string, Resource>).filter((permission) =>
      JSON.stringify(permission.Properties.FunctionName).includes(ingestId()),
    );
    expect(permissions.map((permission) => permission.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [ingestId(), 'Arn'] }, Principal: 'ses.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } },
    ]);
  });
});

describe('the ingest function', () => {
  it('runs functions/email/ingest.ts for up to 60 s with 1024 MB, on Node.js 22 ARM64', () => {
    expect(resources[ingestId()]!.Properties).toMatchObject({ Timeout: 60, MemorySize: 1024, Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  it('finds the bucket, its prefixes, the addresses it serves, the table and the state machine in its environment', () => {
    // The ticket lifecycle (the support period machine is the other one).
    const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: 'Mail-TicketLifecycle' } }))[0]!;
    const tableId = only('AWS::DynamoDB::GlobalTable')[0];
    expect(resources[ingestId()]!.Properties.Environment.Variables).toMatchObject({
      TIERDESK_MAIL_BUCKET: { Ref: bucketId() },
      TIERDESK_INBOUND_PREFIX: 'inbound/',
      TIERDESK_ATTACHMENT_PREFIX: 'attachments/',
      TIERDESK_INBOUND_ADDRESSES: 'support@example.com',
      TIERDESK_TABLE: { Ref: tableId },
      TIERDESK_POLICY: '/var/task/policy.json',
      TIERDESK_TICKET_STATE_MACHINE_ARN: { Ref: machineId },
    });
  });

  it('may read raw mail under inbound/ and write attachments under attachments/, nothing else in S3', () => {
    const s3 = statementsOf(ingestId()).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('s3:')));
    expect(s3).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn('inbound/') },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objectsArn('attachments/') },
    ]);
  });

  it('has no wildcard action, and "*" as a resource only for states:SendTaskSuccess (task tokens name no machine)', () => {
    const statements = statementsOf(ingestId(), { baseline: true });
    expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
    expect(actionsOf(statements.filter((statement) => [statement.Resource].flat().includes('*')))).toEqual(['states:SendTaskSuccess', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const tableId = only('AWS::DynamoDB::GlobalTable')[0];
    for (const statement of statements.filter((s) => actionsOf([s]).every((action) => action.startsWith('dynamodb:')))) {
      expect(JSON.stringify(statement.Resource)).toContain(tableId);
    }
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'states:StartExecution', 'states:DescribeExecution']));
    const prefixes = new Set(actionsOf(statements).map((action) => action.split(':')[0]));
    expect([...prefixes].sort()).toEqual(['dynamodb', 'logs', 's3', 'sqs', 'states', 'xray']);
  });

  it('is retried twice, then its failures go to an encrypted, TLS-only dead-letter queue kept 14 days', () => {
    const [queueId, queue] = only('AWS::SQS::Queue', 'InboundEmailDeadLetterQueue');
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ingestId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // The function may send to that queue only.
    const sqs = statementsOf(ingestId()).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('sqs:')));
    expect(sqs).toHaveLength(1);
    expect(actionsOf(sqs)).toContain('sqs:SendMessage');
    expect(sqs[0]!.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });

  it('raises an alarm as soon as a message waits in the dead-letter queue', () => {
    const [queueId] = only('AWS::SQS::Queue', 'InboundEmailDeadLetterQueue');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it("raises an alarm when a message is quarantined (virus verdict FAIL), counted from the ingest function's log line", () => {
    const [filter] = Object.values(template.findResources('AWS::Logs::MetricFilter')) as { Properties: any }[];
    expect(filter!.Properties.FilterPattern).toBe('{ $.metric = "MailQuarantined" }');
    expect(filter!.Properties.MetricTransformations).toEqual([{ MetricNamespace: 'tierdesk', MetricName: 'MailQuarantined', MetricValue: '1' }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'tierdesk', MetricName: 'MailQuarantined', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });
});

describe('inbound recipients', () => {
  const emailTypes = ['AWS::SES::ReceiptRuleSet', 'AWS::SES::ReceiptRule', 'AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::CloudWatch::Alarm'];

  it('none configured: nothing email-related is created', () => {
    const t = quickSynth({});
    for (const type of emailTypes) expect(Object.keys(t.findResources(type)).filter((id) => id.startsWith('InboundEmail'))).toEqual([]);
    expect(Object.keys(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'MailQuarantined' } }))).toEqual([]);
    expect(Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'ingest.handler' } }))).toEqual([]);
  });

  it('come from the inboundRecipients context value, comma-separated or a JSON array', () => {
    const recipientsOf = (t: Template) => Object.values(t.findResources('AWS::SES::ReceiptRule'))[0]!.Properties.Rule.Recipients;
    expect(recipientsOf(quickSynth({}, { inboundRecipients: 'help@example.org, example.net' }))).toEqual(['help@example.org', 'example.net']);
    expect(recipientsOf(quickSynth({}, { inboundRecipients: '["help@example.org",".example.net"]' }))).toEqual(['help@example.org', '.example.net']);
    // The prop wins over the context.
    expect(recipientsOf(quickSynth({ inboundRecipients: ['desk@example.com'] }, { inboundRecipients: 'help@example.org' }))).toEqual(['desk@example.com']);
  });

  it('an empty context value means none', () => {
    expect(recipientsFromContext('')).toEqual([]);
    expect(recipientsFromContext(' , ')).toEqual([]);
    expect(recipientsFromContext('[]')).toEqual([]);
    expect(recipientsFromContext(undefined)).toEqual([]);
  });

  it('accepts addresses, domains and .subdomains, trimmed and de-duplicated', () => {
    expect(validateRecipients([' support@example.com', 'example.com', '.example.com', 'first.last+tag@mail.example.co.uk', 'example.com'])).toEqual([
      'support@example.com',
      'example.com',
      '.example.com',
      'first.last+tag@mail.example.co.uk',
    ]);
  });

  it('a bad value stops the synth with an error naming it', () => {
    expect(() => quickSynth({ inboundRecipients: ['support@example.com', 'not an address'] })).toThrow(/"not an address" is not an email address/);
    expect(() => quickSynth({}, { inboundRecipients: 'support@example.com,@example.com' })).toThrow(/"@example.com"/);
    expect(() => quickSynth({}, { inboundRecipients: '["ok@example.com", 42]' })).toThrow(/42 is not an email address/);
    expect(() => quickSynth({}, { inboundRecipients: '[oops' })).toThrow(/not a valid JSON array/);
    for (const bad of ['localhost', 'support@', 'a..b@example.com', 'support@example', 'x@-example.com', 'exa mple.com']) {
      expect(() => validateRecipients([bad])).toThrow(JSON.stringify(bad));
    }
  });
});
