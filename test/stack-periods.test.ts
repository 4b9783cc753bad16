/** Dedicated support periods in the CDK stack (lib/workflows/support-period-workflow.ts), proven on the synthesized template. */

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { PERIOD_STATE_MACHINE_ENV, SUPPORT_PERIOD_FILE } from '../lib/workflows/support-period-workflow';
import { aslPlaceholders } from '../lib/workflows/ticket-workflow';
import { appAsDeployed } from './support/app';
import { actionsOf, functionId as functionIdIn, type Statement, statementsOf as statementsOfIn, statementsOfRole as statementsOfRoleIn } from './support/iam';

type Resource = { Type: string; Properties: Record<string, any> };

const outdir = `${process.env.TMPDIR ?? '/tmp'}/tierdesk-cdk-periods-test-${process.pid}`;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  // Not bundled: these tests read the template and the state machine files; test/bundle.e2e.test.ts runs the bundles.
  const app = appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
  template = Template.fromStack(new TierdeskStack(app, 'Periods', { policy: 'caret', senderIdentity: 'support@desk.example' }));
  resources = template.toJSON().Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const functionId = (file: string) => functionIdIn(template, file);
const stepId = () => functionId('period-step');

/** The state machine whose name ends with the suffix. */
function machineId(suffix: string): string {
  const ids = Object.entries(template.findResources('AWS::StepFunctions::StateMachine') as Record<string, Resource>)
    .filter(([, machine]) => String(machine.Properties.StateMachineName).endsWith(suffix))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}
const periodMachineId = () => machineId('-SupportPeriod');
const ticketMachineId = () => machineId('-TicketLifecycle');

const statementsOfRole = (roleId: string) => statementsOfRoleIn(template, roleId);
const statementsOf = (fnId: string) => statementsOfIn(template, fnId);
const executionsOf = (id: string) => `":execution:",{"Fn::GetAtt":["${id}","Name"]},":*"`;

describe('the support period state machine', () => {
  it('is a STANDARD machine named <stack>-SupportPeriod, logging errors (with execution data) under /aws/vendedlogs/states/ with retention, traced with X-Ray', () => {
    const machine = resources[periodMachineId()]!.Properties;
    expect(machine.StateMachineName).toBe('Periods-SupportPeriod');
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.LoggingConfiguration).toMatchObject({ Level: 'ERROR', IncludeExecutionData: true });
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    const logGroupId = machine.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(resources[logGroupId]!.Properties).toMatchObject({ LogGroupName: '/aws/vendedlogs/states/Periods-SupportPeriod', RetentionInDays: 90 });
  });

  it('is the ASL file, with the step function substituted for its one placeholder', () => {
    const machine = resources[periodMachineId()]!.Properties;
    expect(aslPlaceholders(SUPPORT_PERIOD_FILE)).toEqual(['PeriodStepFunctionArn']);
    expect(machine.DefinitionSubstitutions).toEqual({ PeriodStepFunctionArn: { 'Fn::GetAtt': [stepId(), 'Arn'] } });
    const definition = readFileSync(join(outdir, `asset.${machine.DefinitionS3Location.Key}`), 'utf8');
    expect(definition).toBe(readFileSync(SUPPORT_PERIOD_FILE, 'utf8'));
    expect(definition.replace(/\$\{PeriodStepFunctionArn\}/g, 'arn')).not.toContain('${');
  });

  it('may invoke only the step function; its other statements are the "*" ones AWS requires (log delivery, X-Ray)', () => {
    const statements = statementsOfRole(resources[periodMachineId()]!.Properties.RoleArn['Fn::GetAtt'][0]);
    const invoke = statements.filter((statement) => actionsOf([statement]).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
    expect([invoke[0]!.Resource].flat()).toEqual([{ 'Fn::GetAtt': [stepId(), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stepId(), 'Arn'] }, ':*']] }]);
    const others = statements.filter((statement) => statement !== invoke[0]);
    for (const statement of others) expect([statement.Resource].flat()).toEqual(['*']);
    expect([...new Set(actionsOf(others).map((action) => action.split(':')[0]))].sort()).toEqual(['logs', 'xray']);
  });
});

describe('the period step function', () => {
  it('runs functions/periods/step.ts as period-step.mjs for up to 30 s on Node.js 22 ARM64, with the table and the policy', () => {
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
    expect(resources[stepId()]!.Properties).toMatchObject({ Timeout: 30, Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    expect(resources[stepId()]!.Properties.Environment.Variables).toMatchObject({ TIERDESK_TABLE: { Ref: tableId }, TIERDESK_POLICY: '/var/task/policy.json' });
  });

  it('reads and writes the table, sends mail as the configured identity (the address and its domain) and wakes ticket workflows, nothing else', () => {
    const statements = statementsOf(stepId());
    // The end step wakes the handed-over tickets' workflows: SendTaskSuccess, which IAM scopes to nothing narrower than "*".
    const wake = statements.filter((s) => actionsOf([s]).includes('states:SendTaskSuccess'));
    expect(wake).toHaveLength(1);
    expect(actionsOf(wake)).toEqual(['states:SendTaskSuccess']);
    expect([wake[0]!.Resource].flat()).toEqual(['*']);
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
    const dynamo = statements.filter((s) => actionsOf([s]).every((action) => action.startsWith('dynamodb:')));
    for (const statement of dynamo) expect(JSON.stringify(statement.Resource)).toContain(tableId);
    expect(actionsOf(dynamo)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']));
    // The same actions on the SES configuration set are test/stack-feedback.test.ts's.
    const configurationSet = statements.filter((s) => JSON.stringify(s.Resource).includes(':configuration-set/'));
    const ses = statements.filter((s) => actionsOf([s]).some((action) => action.startsWith('ses:')) && !configurationSet.includes(s));
    expect(ses).toHaveLength(1);
    expect(actionsOf(ses)).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const identities = [ses[0]!.Resource].flat().map((resource) => JSON.stringify(resource));
    expect(identities).toHaveLength(2);
    for (const identity of ['support@desk.example', 'desk.example']) {
      expect(identities.some((resource) => resource.includes(':ses:') && resource.endsWith(`":identity/${identity}"]]}`))).toBe(true);
    }
    expect(statements).toHaveLength(dynamo.length + ses.length + configurationSet.length + wake.length);
    expect([...new Set(actionsOf(statements).map((action) => action.split(':')[0]))].sort()).toEqual(['dynamodb', 'ses', 'states']);
  });

  it("is granted SES exactly as the ticket workflow's Step", () => {
    const sesOf = (fnId: string) => statementsOf(fnId).filter((s) => actionsOf([s]).some((action) => action.startsWith('ses:')));
    expect(sesOf(stepId())).toEqual(sesOf(functionId('step')));
  });

  it('has no wildcard action, and a "*" resource only for SendTaskSuccess', () => {
    const statements = statementsOf(stepId());
    expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
    expect(actionsOf(statements.filter((statement) => [statement.Resource].flat().includes('*')))).toEqual(['states:SendTaskSuccess']);
  });
});

describe('the API function (it serves /support-orders)', () => {
  it('finds the period machine through TIERDESK_PERIOD_STATE_MACHINE_ARN', () => {
    expect(PERIOD_STATE_MACHINE_ENV).toBe('TIERDESK_PERIOD_STATE_MACHINE_ARN');
    expect(resources[functionId('index')]!.Properties.Environment.Variables.TIERDESK_PERIOD_STATE_MACHINE_ARN).toEqual({ Ref: periodMachineId() });
  });

  it("may start the period machine's executions, and describe and stop only them", () => {
    const id = periodMachineId();
    const period = statementsOf(functionId('index')).filter((s) => JSON.stringify(s.Resource).includes(`"${id}"`));
    const byAction = period.map((s) => [actionsOf([s]), JSON.stringify(s.Resource)] as const);
    expect(byAction).toHaveLength(2);
    expect(byAction).toContainEqual([['states:StartExecution'], JSON.stringify({ Ref: id })]);
    const executions = byAction.find(([actions]) => actions.includes('states:StopExecution'))!;
    expect(executions[0]).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(executions[1]).toContain(executionsOf(id));
    expect(executions[1]).not.toContain(':stateMachine:');
  });

  it('may stop no ticket execution, and no other role may start, describe or stop period executions', () => {
    const stops = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .flatMap((policy) => (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({ role: policy.Properties.Roles[0].Ref as string, statement })))
      .filter(({ statement }) => actionsOf([statement]).includes('states:StopExecution'));
    expect(stops).toHaveLength(1);
    expect(JSON.stringify(stops[0]!.statement.Resource)).not.toContain(ticketMachineId());
    const apiRole = resources[functionId('index')]!.Properties.Role['Fn::GetAtt'][0];
    const onPeriod = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(`"${periodMachineId()}"`))
      .map((policy) => policy.Properties.Roles[0].Ref);
    expect(onPeriod).toEqual([apiRole]);
  });
});
