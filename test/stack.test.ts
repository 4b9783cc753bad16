/** The CDK stack, proven by synthesizing it and asserting the template (no AWS account needed). */

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_INDEXES } from '../lib/data/table-definition';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { aslPlaceholders, TICKET_LIFECYCLE_FILE } from '../lib/workflows/ticket-workflow';
import { appAsDeployed } from './support/app';
import { actionsOf, functionId as functionIdIn, isDeployTimeFunction, type Statement, statementsOf as statementsOfIn } from './support/iam';

type Resource = { Type: string; Properties: Record<string, any> };

const outdir = `${process.env.TMPDIR ?? '/tmp'}/tierdesk-cdk-test-${process.pid}`;
let template: Template;

beforeAll(() => {
  // Not bundled: these tests read the template and the state machine files; test/bundle.e2e.test.ts runs the bundles.
  const app = appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
  template = Template.fromStack(new TierdeskStack(app, 'Test', { policy: 'caret', senderIdentity: 'support@desk.example' }));
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const functionId = (file: string) => functionIdIn(template, file);

/** The statements of a function's role, less the logs and X-Ray every function has. */
const statementsOf = (fnId: string) => statementsOfIn(template, fnId);
/** The ticket state machine (the support period machine is tested in test/stack-periods.test.ts). */
const stateMachineId = () => Object.keys(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: 'Test-TicketLifecycle' } }))[0]!;
const periodMachineId = () => Object.keys(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: 'Test-SupportPeriod' } }))[0]!;

describe('the ticket table', () => {
  it("keeps customers' cases safe: PITR, deletion protection, retained on stack removal, encrypted", () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true },
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('is the one table definition the local runtime uses: keys, every index, TTL on expiresAt', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!.Properties;
    expect(table.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName).sort()).toEqual(
      Object.values(TABLE_INDEXES)
        .map((index) => index.indexName)
        .sort(),
    );
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
  });
});

describe('the HTTP API', () => {
  it('runs its handler on Node.js 22, ARM64, with the table and the bundled policy in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          TIERDESK_TABLE: Match.anyValue(),
          TIERDESK_POLICY: '/var/task/policy.json',
        }),
      },
    });
  });

  it('sends every route to the handler through the $default route', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('lets the handler read and write the ticket table, start ticket executions and wake them, nothing else', () => {
    const statements = statementsOf(functionId('index'));
    const table = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
    for (const statement of statements.filter((s) => actionsOf([s]).every((action) => action.startsWith('dynamodb:')))) {
      expect(JSON.stringify(statement.Resource)).toContain(table);
    }
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'states:StartExecution', 'states:SendTaskSuccess']));
    // The second Describe/Start and Stop are on the support period machine (it serves /support-orders; test/stack-periods.test.ts).
    // Secrets Manager: only the cursor-signing key (functions/api/cursors.ts).
    expect(actionsOf(statements).filter((action) => !/^(dynamodb|logs|xray):/.test(action))).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'states:DescribeExecution',
      'states:DescribeExecution',
      'states:SendTaskSuccess',
      'states:StartExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    expect(statements.find((s) => s.Action === 'states:StartExecution')!.Resource).toEqual({ Ref: stateMachineId() });
    const cursorKey = Object.keys(template.findResources('AWS::SecretsManager::Secret', { Properties: { Description: Match.stringLikeRegexp('signs list cursors') } }));
    expect(cursorKey).toHaveLength(1);
    expect(template.toJSON().Resources[functionId('index')].Properties.Environment.Variables.TIERDESK_CURSOR_SECRET_ARN).toEqual({ Ref: cursorKey[0] });
    expect(statements.filter((s) => actionsOf([s]).some((action) => action.startsWith('secretsmanager:'))).map((s) => s.Resource)).toEqual([{ Ref: cursorKey[0] }]);
    // Describe (is a reopened ticket's execution still running?) only this machine's executions.
    expect(JSON.stringify(statements.find((s) => s.Action === 'states:DescribeExecution')!.Resource)).toContain(`":execution:",{"Fn::GetAtt":["${stateMachineId()}","Name"]},":*"`);
  });

  it('finds the ticket state machine through TIERDESK_TICKET_STATE_MACHINE_ARN', () => {
    const variables = template.toJSON().Resources[functionId('index')].Properties.Environment.Variables;
    expect(variables.TIERDESK_TICKET_STATE_MACHINE_ARN).toEqual({ Ref: stateMachineId() });
  });

  it('keeps its logs for a set time', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('the ticket workflow', () => {
  const tasks = { StepFunctionArn: 'step', ParkFunctionArn: 'park' } as const;

  it('is a STANDARD machine logging errors (with execution data) to a log group with retention, traced with X-Ray', () => {
    const machine = template.toJSON().Resources[stateMachineId()].Properties;
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.LoggingConfiguration).toMatchObject({ Level: 'ERROR', IncludeExecutionData: true });
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    const logGroupId = machine.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(90);
  });

  it('is the ASL file, with its two task functions substituted for its placeholders', () => {
    const machine = template.toJSON().Resources[stateMachineId()].Properties;
    expect(Object.keys(machine.DefinitionSubstitutions).sort()).toEqual(Object.keys(tasks).sort());
    expect(aslPlaceholders(TICKET_LIFECYCLE_FILE)).toEqual(Object.keys(tasks).sort());
    for (const [placeholder, file] of Object.entries(tasks)) {
      expect(machine.DefinitionSubstitutions[placeholder]).toEqual({ 'Fn::GetAtt': [functionId(file), 'Arn'] });
    }
    // The synthesized definition (an S3 asset CloudFormation substitutes into) leaves no placeholder unreplaced.
    const definition = readFileSync(join(outdir, `asset.${machine.DefinitionS3Location.Key}`), 'utf8');
    expect(definition).toBe(readFileSync(TICKET_LIFECYCLE_FILE, 'utf8'));
    const unreplaced = [...definition.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]).filter((name) => !(name! in machine.DefinitionSubstitutions));
    expect(unreplaced).toEqual([]);
    expect(definition.replace(/\$\{(\w+)\}/g, 'arn')).not.toContain('${');
  });

  it('may invoke exactly its two task functions', () => {
    const roleId = template.toJSON().Resources[stateMachineId()].Properties.RoleArn['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => actionsOf([statement]).includes('lambda:InvokeFunction'));
    const invoked = new Set(statements.flatMap((statement) => [statement.Resource].flat()).map((resource) => JSON.stringify(resource).match(/"(Workflow\w+)","Arn"/)![1]));
    expect([...invoked].sort()).toEqual(Object.values(tasks).map(functionId).sort());
  });

  it('gives each task function only the table access its handler needs', () => {
    const writes = (file: string) => actionsOf(statementsOf(functionId(file))).includes('dynamodb:PutItem');
    const reads = (file: string) => actionsOf(statementsOf(functionId(file))).includes('dynamodb:GetItem');
    expect(['step', 'park', 'reconcile'].map((file) => [file, reads(file), writes(file)])).toEqual([
      ['step', true, true],
      // Park writes only the WAIT item; the reconciler only to move a ticket to its next workflow run.
      ['park', true, true],
      ['reconcile', true, true],
    ]);
  });

  it("lets Step start only this machine's executions (the hand-over), by the machine's name", () => {
    const step = template.toJSON().Resources[functionId('step')].Properties;
    const machineName = template.toJSON().Resources[stateMachineId()].Properties.StateMachineName;
    expect(machineName).toMatch(/TicketLifecycle$/);
    expect(JSON.stringify(step.Environment.Variables.TIERDESK_TICKET_STATE_MACHINE_ARN)).toContain(`:stateMachine:${machineName}`);
    const states = statementsOf(functionId('step')).filter((s) => actionsOf([s]).some((action) => action.startsWith('states:')));
    expect(states).toHaveLength(1);
    expect(states[0]!.Action).toBe('states:StartExecution');
    expect(JSON.stringify(states[0]!.Resource)).toContain(`:stateMachine:${machineName}`);
  });

  it('runs the reconciler every five minutes and when an execution of the ticket machine fails, times out or is aborted; allowed to start, describe and wake its executions', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId('reconcile'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: stateMachineId() }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId('reconcile'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 4 }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId('reconcile'), 'Arn'] },
    });
    const reconciler = template.toJSON().Resources[functionId('reconcile')].Properties;
    expect(reconciler.Environment.Variables.TIERDESK_TICKET_STATE_MACHINE_ARN).toEqual({ Ref: stateMachineId() });
    const states = statementsOf(functionId('reconcile')).filter((s) => actionsOf([s]).some((action) => action.startsWith('states:')));
    const byAction = Object.fromEntries(states.map((s) => [s.Action, JSON.stringify(s.Resource)]));
    expect(Object.keys(byAction).sort()).toEqual(['states:DescribeExecution', 'states:SendTaskSuccess', 'states:StartExecution']);
    expect(byAction['states:StartExecution']).toBe(JSON.stringify({ Ref: stateMachineId() }));
    expect(byAction['states:SendTaskSuccess']).toBe(JSON.stringify('*'));
    expect(byAction['states:DescribeExecution']).toContain(':execution:');
    expect(byAction['states:DescribeExecution']).toContain(`{"Fn::GetAtt":["${stateMachineId()}","Name"]},":*"`);
  });

  it("starts new tickets' executions from the table's stream: only the owed-start records new tickets are written with, handed back on failure; allowed to start this machine's executions only", () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    const [mapping, ...others] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping') as Record<string, Resource>).map((resource) => resource.Properties);
    expect(others).toEqual([]);
    expect(mapping).toMatchObject({
      FunctionName: { Ref: functionId('start') },
      EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/^DataTable/), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 25,
      MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(JSON.parse(mapping!.FilterCriteria.Filters[0].Pattern)).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { SK: { S: ['WORKFLOW'] }, newTicket: { BOOL: [true] } } } });
    const starter = template.toJSON().Resources[functionId('start')].Properties;
    expect(starter.Environment.Variables.TIERDESK_TICKET_STATE_MACHINE_ARN).toEqual({ Ref: stateMachineId() });
    const states = statementsOf(functionId('start')).filter((s) => actionsOf([s]).some((action) => action.startsWith('states:')));
    expect(states).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stateMachineId() } }]);
  });

  it('lets Step send mail only as the configured SES identity (the address and its domain)', () => {
    const ses = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => actionsOf([statement]).some((action) => action.startsWith('ses:')))
      // The same actions on the SES configuration set are test/stack-feedback.test.ts's.
      .filter((statement) => !JSON.stringify(statement.Resource).includes(':configuration-set/'));
    // Step's, and the same statement for the support period's step function (test/stack-periods.test.ts).
    expect(ses).toHaveLength(2);
    expect(statementsOf(functionId('step'))).toContainEqual(ses[0]);
    expect(statementsOf(functionId('period-step'))).toContainEqual(ses[0]);
    expect(ses[1]).toEqual(ses[0]);
    expect(actionsOf([ses[0]!])).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const resources = [ses[0]!.Resource].flat().map((resource) => JSON.stringify(resource));
    expect(resources).toHaveLength(2);
    for (const identity of ['support@desk.example', 'desk.example']) {
      expect(resources.some((resource) => resource.includes(':ses:') && resource.endsWith(`":identity/${identity}"]]}`))).toBe(true);
    }
  });

  it('grants "*" only where AWS allows nothing narrower: log delivery and X-Ray for the machines, X-Ray for the functions, SendTaskSuccess for wakers (the reconciler among them; SendTaskFailure for Park)', () => {
    const wildcards = Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument.Statement as Statement[])
        .filter((statement) => [statement.Resource].flat().includes('*'))
        .map((statement) => ({ role: policy.Properties.Roles[0].Ref as string, id, actions: actionsOf([statement]) })),
    );
    const machineRole = template.toJSON().Resources[stateMachineId()].Properties.RoleArn['Fn::GetAtt'][0];
    const periodMachineRole = template.toJSON().Resources[periodMachineId()].Properties.RoleArn['Fn::GetAtt'][0];
    const roleOf = (file: string) => template.toJSON().Resources[functionId(file)].Properties.Role['Fn::GetAtt'][0];
    const deployTimeRoles = Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>)
      .filter(([id]) => isDeployTimeFunction(id))
      .map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]);
    const found = wildcards.filter(({ role }) => !deployTimeRoles.includes(role)).map(({ role, actions }) => ({ role, actions }));
    const logDelivery = [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
    ];
    const xray = ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
    const functionRoles = Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>)
      .filter(([id]) => !isDeployTimeFunction(id)) // CDK's, at deploy time (test/stack-console.test.ts)
      .map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]);
    // Both machines (ticket lifecycle and support period) log and trace the same way; every function traces.
    expect(functionRoles).toHaveLength(8); // with the SES feedback function (lib/email/feedback.ts) and the workflow starter
    expect(found).toHaveLength(9 + functionRoles.length);
    expect(found).toEqual(expect.arrayContaining(functionRoles.map((role) => ({ role, actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'] }))));
    expect(found).toEqual(
      expect.arrayContaining([
        { role: machineRole, actions: logDelivery },
        { role: machineRole, actions: xray },
        { role: periodMachineRole, actions: logDelivery },
        { role: periodMachineRole, actions: xray },
        { role: roleOf('index'), actions: ['states:SendTaskSuccess'] },
        { role: roleOf('park'), actions: ['states:SendTaskFailure', 'states:SendTaskSuccess'] },
        { role: roleOf('webhooks'), actions: ['states:SendTaskSuccess'] },
        { role: roleOf('period-step'), actions: ['states:SendTaskSuccess'] }, // hands period tickets over (issue [9])
        { role: roleOf('reconcile'), actions: ['states:SendTaskSuccess'] }, // sends the wakes owed
      ]),
    );
  });
});

describe('the SES identity', () => {
  // Bundling skipped: these stacks are only read for their IAM.
  const synth = (props: { senderIdentity?: string }, context: Record<string, unknown> = {}) =>
    Template.fromStack(new TierdeskStack(appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [], ...context } }), 'Ses', { policy: 'caret', ...props }));
  const sesResources = (t: Template) =>
    JSON.stringify(
      Object.values(t.findResources('AWS::IAM::Policy') as Record<string, Resource>)
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
        .filter((statement) => actionsOf([statement]).some((action) => action.startsWith('ses:')))
        .map((statement) => statement.Resource),
    );

  it('comes from the senderIdentity context value when no prop is given; a domain is granted as itself', () => {
    const resources = sesResources(synth({}, { senderIdentity: 'mail.example.org' }));
    expect(resources).toContain('identity/mail.example.org');
    expect(resources).not.toContain('@');
  });

  it('is not granted at all when neither prop, context nor policy names a sender', () => {
    expect(sesResources(synth({}))).toBe('[]');
  });
});

describe('synth-time policy validation', () => {
  it('refuses to build a stack from an invalid policy, naming the problem', () => {
    const app = appAsDeployed();
    expect(() => new TierdeskStack(app, 'Broken', { policy: 'test/fixtures/no-such-policy.yaml' })).toThrow(/no preset or file/);
  });
});
