/**
 * Issue [7]'s production properties of the whole stack, proven on the synthesized template:
 * cdk-nag passes (and would fail on a finding), typed settings, least privilege for every
 * function, encryption and retention of data, and an alarm with an action for every failure.
 * Bundling is skipped: these stacks are read, not deployed (test/bundle.e2e.test.ts runs a bundle).
 */

import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../core/policy/files';
import { CHANNELS } from '../core/tickets/model';
import { METRIC } from '../functions/shared/metric-names';
import { API_THROTTLE } from '../lib/api/http-api';
import { addNagChecks } from '../lib/nag';
import { resolveSettings, StackSettingsError } from '../lib/settings';
import { TierdeskStack, type TierdeskStackProps } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { actionsOf, isBaseline, isDeployTimeFunction, type Statement, statementsOfRole } from './support/iam';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const FULL: TierdeskStackProps = {
  policy: 'test/fixtures/webhooks-policy.yaml',
  senderIdentity: 'support@desk.example',
  inboundRecipients: ['support@desk.example'],
  alarmEmail: 'oncall@desk.example',
};

function synth(props: TierdeskStackProps = FULL, name = 'Prod'): { stack: TierdeskStack; template: Template } {
  const app = appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TierdeskStack(app, name, props);
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
// tierdesk's functions; CDK's deploy-time ones (console files, the API's CORS) are bounded in test/stack-console.test.ts.
const functions = ofType('AWS::Lambda::Function').filter(([id]) => !isDeployTimeFunction(id));
const deployTimeRoles = new Set(
  ofType('AWS::Lambda::Function')
    .filter(([id]) => isDeployTimeFunction(id))
    .map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0] as string),
);
const policyStatements = () =>
  ofType('AWS::IAM::Policy')
    .filter(([, policy]) => !policy.Properties.Roles.every((role: { Ref: string }) => deployTimeRoles.has(role.Ref)))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  /** Synthesizes with the packs as bin/app.ts does; policy validation throws on any unacknowledged finding. */
  const nagSynth = (props: TierdeskStackProps, extra?: (stack: Stack) => void) => {
    const app = appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: `${process.env.TMPDIR ?? '/tmp'}/tierdesk-nag-${process.pid}-${Math.random()}` });
    const built = new TierdeskStack(app, 'Nagged', props);
    extra?.(built);
    addNagChecks(app);
    return () => app.synth();
  };

  it('finds nothing unacknowledged in the full stack (inbound email, integrations, alarm email, IAM access)', () => {
    expect(nagSynth({ ...FULL, apiAccess: 'iam' })).not.toThrow();
  }, 60_000);

  it('finds nothing unacknowledged in the default stack', () => {
    expect(nagSynth({})).not.toThrow();
  }, 60_000);

  it('fails the synth on a finding nobody acknowledged', () => {
    const leaky = nagSynth({}, (built) => new Queue(built, 'Unencrypted', { removalPolicy: RemovalPolicy.DESTROY }));
    expect(leaky).toThrow(/AwsSolutions-SQS4[\s\S]*Nagged\/Unencrypted/);
  }, 60_000);
});

describe('settings', () => {
  it('come from props, else context, and default to a prod stage with API-key access', () => {
    const settings = resolveSettings({ policy: 'cadmium' }, (name) => ({ stage: 'staging', policy: 'caret', apiAccess: 'iam' })[name]);
    expect(settings).toMatchObject({ stage: 'staging', policy: 'cadmium', apiAccess: 'iam', inboundRecipients: [], reservedConcurrency: true });
    expect(resolveSettings({}, () => undefined)).toMatchObject({ stage: 'prod', policy: 'caret', apiAccess: 'api-key' });
  });

  it('refuses bad values with one line per setting, naming it', () => {
    const context: Record<string, string> = { stage: 'Prod!', alarmEmail: 'oncall', apiAccess: 'open', inboundRecipients: 'support@', reservedConcurrency: 'maybe' };
    let error: unknown;
    try {
      resolveSettings({}, (name) => context[name]);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(StackSettingsError);
    const problems = (error as StackSettingsError).problems;
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['alarmEmail', 'apiAccess', 'inboundRecipients', 'reservedConcurrency', 'stage']);
    expect(problems.find((problem) => problem.startsWith('apiAccess'))).toContain('"api-key", "iam"');
    expect(() => synth({ stage: 'Prod!' })).toThrow(/stage: lower-case letters/);
  });
});

describe('every function', () => {
  it('runs Node.js 22 on ARM64 with active tracing, its stack name as service and the tierdesk metrics namespace', () => {
    expect(functions).toHaveLength(9);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      expect(fn.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'Prod', POWERTOOLS_METRICS_NAMESPACE: 'tierdesk' });
    }
  });

  it('loads source maps (--enable-source-maps) outside stage prod, in prod only when sourceMaps is set', () => {
    const nodeOptions = (built: Template) =>
      Object.entries(built.findResources('AWS::Lambda::Function'))
        .filter(([id]) => !isDeployTimeFunction(id))
        .map(([, fn]) => (fn as Resource).Properties.Environment.Variables.NODE_OPTIONS as string | undefined);
    expect(new Set(nodeOptions(template))).toEqual(new Set([undefined]));
    expect(new Set(nodeOptions(synth({ ...FULL, stage: 'staging' }, 'Staging').template))).toEqual(new Set(['--enable-source-maps']));
    expect(new Set(nodeOptions(synth({ ...FULL, sourceMaps: true }, 'ProdMaps').template))).toEqual(new Set(['--enable-source-maps']));
    expect(() => resolveSettings({}, (name) => (name === 'sourceMaps' ? 'yes' : undefined))).toThrow(/sourceMaps: true or false/);
  });

  it('logs to a log group of its own with a retention, and its role may write only there (no AWS managed policy)', () => {
    for (const [, fn] of functions) {
      const groupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(resources[groupId]!.Properties.RetentionInDays).toBe(90);
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      expect(resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
      const baseline = statementsOfRole(template, roleId).filter(isBaseline);
      expect(baseline).toHaveLength(2);
      expect(baseline).toEqual(
        expect.arrayContaining([
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [groupId, 'Arn'] } },
          { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
        ]),
      );
    }
  });

  it('has reserved concurrency where a runaway would hurt: one reconciler at a time, webhooks 20, ingest 10; none for the API and the workflow', () => {
    const reserved = (t: Template) =>
      Object.fromEntries(
        Object.values(t.findResources('AWS::Lambda::Function') as Record<string, Resource>)
          .filter((fn) => fn.Properties.ReservedConcurrentExecutions !== undefined)
          .map((fn) => [fn.Properties.Handler, fn.Properties.ReservedConcurrentExecutions]),
      );
    expect(reserved(template)).toEqual({ 'reconcile.handler': 1, 'webhooks.handler': 20, 'ingest.handler': 10 });
    expect(reserved(synth({ ...FULL, reservedConcurrency: false }, 'Unreserved').template)).toEqual({});
  });
});

describe('least privilege', () => {
  it('grants no wildcard action anywhere', () => {
    expect(actionsOf(policyStatements()).filter((action) => action.includes('*'))).toEqual([]);
  });

  it('grants "*" as a resource only for actions that support no resource-level permissions', () => {
    const allowed = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);
    const onStar = actionsOf(policyStatements().filter((statement) => [statement.Resource].flat().includes('*')));
    expect(onStar.filter((action) => !allowed.has(action))).toEqual([]);
  });
});

describe('data', () => {
  it('keeps every bucket encrypted, private, TLS-only and retained; the mail bucket logs its access', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets.length).toBe(4); // mail and its access logs; the console's files and their logs (lib/console/)
    for (const [id, bucket] of buckets) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
    const logicalId = (bucket: Bucket) => stack.resolve((bucket.node.defaultChild as CfnBucket).logicalId) as string;
    expect(resources[logicalId(stack.inboundEmail!.bucket)]!.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(stack.inboundEmail!.accessLogs) },
      LogFilePrefix: 'mail-bucket/',
    });
  });

  it('encrypts every queue and the alarm topic, and refuses plain-HTTP access to them', () => {
    for (const [id, queue] of ofType('AWS::SQS::Queue')) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
    const [[topicId, topic]] = ofType('AWS::SNS::Topic') as [[string, Resource]];
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it("on removal keeps customers' data (the table, the mail and access-log buckets, the webhook secrets, the people who sign in and their groups) and deletes the rest", () => {
    const kept = new Set(['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket', 'AWS::SecretsManager::Secret', 'AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolGroup']);
    const retained = Object.values(resources)
      .filter((resource) => resource.DeletionPolicy === 'Retain')
      .map((resource) => resource.Type);
    expect(new Set(retained)).toEqual(kept);
    // The API's cursor-signing key is no customer's data: it goes with the stack (lib/api/http-api.ts).
    const cursorKey = (resource: Resource) => String(resource.Properties.Description).includes('signs list cursors');
    for (const type of kept) for (const [, resource] of ofType(type)) expect(resource.DeletionPolicy).toBe(cursorKey(resource) ? 'Delete' : 'Retain');
    expect(ofType('AWS::SecretsManager::Secret').length).toBeGreaterThan(0);
  });

  it('gives every log group a retention', () => {
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('the API', () => {
  it('throttles the stage and writes JSON access logs that never carry the path (a CTI webhook path holds its token)', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', route: '$context.routeKey', status: '$context.status' });
    expect(stage.Properties.AccessLogSettings.Format).not.toContain('$context.path');
  });

  it('in "iam" access requires SigV4 on every route but the webhooks\'', () => {
    const routes = (t: Template) =>
      Object.values(t.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>).map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType ?? 'NONE']);
    expect(routes(synth({ ...FULL, apiAccess: 'iam' }, 'Iam').template).sort()).toEqual([
      ['$default', 'AWS_IAM'],
      ['POST /webhooks/{proxy+}', 'NONE'],
    ]);
    expect(routes(template).sort()).toEqual([
      ['$default', 'NONE'],
      ['POST /webhooks/{proxy+}', 'NONE'],
    ]);
  });
});

describe('alarms', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const topicRef = { Ref: ofType('AWS::SNS::Topic')[0]![0] };

  it('all notify the alarm topic, which mails the alarm email', () => {
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topicRef]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@desk.example', TopicArn: topicRef });
  });

  it("watch every function's errors and throttles, both machines' failed executions, the dead-letter queues, API 5xx, SLA breaches, SES refusals, workflow work the reconciler could not make and the workflow starter falling behind the table's stream", () => {
    const watched = (namespace: string, metric: string) => alarms.filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metric);
    for (const [id] of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(
          watched('AWS/Lambda', metric).some((alarm) => JSON.stringify(alarm.Dimensions).includes(`"${id}"`)),
          `${metric} of ${id}`,
        ).toBe(true);
      }
    }
    expect(watched('AWS/States', 'ExecutionsFailed')).toHaveLength(2);
    expect(watched('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toHaveLength(ofType('AWS::SQS::Queue').length);
    expect(watched('AWS/ApiGateway', '5xx')).toHaveLength(1);
    expect(watched('tierdesk', METRIC.slaBreaches)[0]).toMatchObject({ Dimensions: [{ Name: 'service', Value: 'Prod' }], Threshold: 0, EvaluationPeriods: 1 });
    expect(watched('tierdesk', METRIC.mailSendFailures)[0]).toMatchObject({ EvaluationPeriods: 3 });
    expect(watched('tierdesk', METRIC.workflowWorkOwed)[0]).toMatchObject({ Dimensions: [{ Name: 'service', Value: 'Prod' }], EvaluationPeriods: 3 });
    expect(watched('tierdesk', 'MailQuarantined')).toHaveLength(1);
    // The workflow starter, fed by the table's stream: a minute behind is stuck.
    const behind = watched('AWS/Lambda', 'IteratorAge');
    expect(behind).toEqual([expect.objectContaining({ Statistic: 'Maximum', Threshold: 60_000 })]);
    expect(JSON.stringify(behind[0]!.Dimensions)).toContain('WorkflowStart');
    for (const alarm of alarms.filter((candidate) => candidate.MetricName !== 'IteratorAge')) {
      expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, TreatMissingData: 'notBreaching' });
    }
  });

  it('without an alarm email still publish to the topic, and the synth warns that nobody is mailed', () => {
    const { stack: quiet, template: t } = synth({ policy: 'caret' }, 'Quiet');
    t.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(Object.values(t.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
    const warnings = quiet.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => String(entry.data));
    expect(warnings.some((warning) => warning.includes('No alarmEmail'))).toBe(true);
  });
});

describe('the dashboard', () => {
  it("charts intake per channel, open tickets per tier, breaches and mail in and out from the handlers' metrics", () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    // The body is JSON joined with references (region, function names); a placeholder stands in for them.
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'ref')).join('')) as { widgets: { properties: { title?: string; metrics?: unknown[][] } }[] };
    const widget = (title: string) => body.widgets.find((w) => w.properties.title === title)?.properties.metrics ?? [];
    /** The [namespace, name, ...dimension pairs] of each line, dimensions as an object. */
    const lines = (title: string) =>
      widget(title).map((line) => {
        const [namespace, name, ...rest] = line.filter((part) => typeof part === 'string') as string[];
        return { namespace, name, dimensions: Object.fromEntries(Array.from({ length: rest.length / 2 }, (_, i) => [rest[2 * i], rest[2 * i + 1]])) };
      });
    expect(lines('Tickets opened per channel')).toEqual(CHANNELS.map((channel) => ({ namespace: 'tierdesk', name: METRIC.ticketsOpened, dimensions: { service: 'Prod', channel } })));
    expect(lines('Open tickets per tier')).toEqual(loadPolicy(FULL.policy!).tiers.map((tier) => ({ namespace: 'tierdesk', name: METRIC.openTickets, dimensions: { service: 'Prod', tier: tier.id } })));
    expect(lines('SLA breaches')).toEqual([{ namespace: 'tierdesk', name: METRIC.slaBreaches, dimensions: { service: 'Prod' } }]);
    expect(lines('Mail in and out').map((line) => line.name)).toEqual([METRIC.mailReceived, METRIC.mailSent, METRIC.mailSendFailures]);
    expect(body.widgets.some((w) => w.properties.title === 'Alarms')).toBe(true);
  });
});
