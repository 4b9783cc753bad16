/**
 * A state machine from one of statemachines/*.asl.json, as every tierdesk workflow deploys it:
 * STANDARD, its `${…FunctionArn}` placeholders substituted with its task functions (a missing one
 * fails the synth), logging errors with execution data to a vended log group kept 3 months, X-Ray
 * tracing, and a role that may invoke exactly those functions.
 */
import { readFileSync } from 'node:fs';
import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { nagRef } from '../nag';

/** Every `${Name}` placeholder of an ASL file. */
export function aslPlaceholders(file: string): string[] {
  return [...new Set([...readFileSync(file, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!))].sort();
}

export interface AslStateMachineProps {
  /** The machine's name (also its log group's). */
  name: string;
  file: string;
  /** Placeholder → the task function it stands for. */
  tasks: Record<string, IFunction>;
}

export function aslStateMachine(scope: Construct, id: string, props: AslStateMachineProps): StateMachine {
  const missing = aslPlaceholders(props.file).filter((name) => !(name in props.tasks));
  if (missing.length > 0) throw new Error(`${props.file}: no substitution for ${missing.map((name) => `\${${name}}`).join(', ')}`);
  const logGroup = new LogGroup(scope, 'StateMachineLogs', {
    // Step Functions' vended logs must go to a group under /aws/vendedlogs/ to keep the resource policy small.
    logGroupName: `/aws/vendedlogs/states/${props.name}`,
    retention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new StateMachine(scope, id, {
    stateMachineName: props.name,
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromFile(props.file),
    definitionSubstitutions: Object.fromEntries(Object.entries(props.tasks).map(([name, task]) => [name, task.functionArn])),
    // CDK adds to the role, as AWS requires, logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery,
    // DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups
    // on "*": CloudWatch Logs' log-delivery actions support no resource-level permissions.
    // ERROR, with execution data: failures, timeouts and aborts (with their inputs) reach the log
    // group; the rest of every execution is in its history, which Step Functions keeps 90 days
    // after it ends. CHOSEN over ALL, which logged every event of every wake-up (~23 KB a ticket).
    logs: { destination: logGroup, level: LogLevel.ERROR, includeExecutionData: true },
    // CDK adds xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets on "*":
    // X-Ray's write actions support no resource-level permissions.
    tracingEnabled: true,
  });
  // The machine's role may invoke exactly its task functions (and their versions/aliases).
  for (const task of Object.values(props.tasks)) {
    task.grantInvoke(stateMachine);
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagRef(task, 'Arn')}:*]`,
      reason: 'The versions and aliases of this task function (grantInvoke), no other function.',
    });
  }
  Validations.of(stateMachine).acknowledge({
    id: 'AwsSolutions-SF1',
    reason:
      "CHOSEN: level ERROR with execution data. Failures, timeouts and aborts reach the log group with their inputs; every execution's whole history stays in Step Functions for 90 days after it ends. ALL logged every event of every wake-up of every ticket (~23 KB a ticket, bench/cost.ts) to say what the history already holds.",
  });
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: "Made by CDK as AWS requires: CloudWatch Logs' log-delivery actions and X-Ray's write actions support no resource-level permissions (see above).",
  });
  return stateMachine;
}

/**
 * Acknowledges, on a grantee's role, the `execution:<machine>:*` pattern executionArns gives: the
 * executions of this one machine, whose names are the tickets' or orders' (not known in advance).
 */
export function acknowledgeExecutionArns(grantee: IFunction, stateMachine: StateMachine): void {
  const name = nagRef(stateMachine, 'Name');
  Validations.of(grantee.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
    reason: `Executions of the ${stateMachine.node.id} machine only; their names are per ticket or order, so they are matched by the machine's prefix.`,
  });
}

/** ARN pattern of every execution of the machine. */
export function executionArns(stateMachine: StateMachine): string {
  return Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
