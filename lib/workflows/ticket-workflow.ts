/**
 * The ticket workflow in AWS (docs/sla-workflow.md): the task functions Step and Park, the state
 * machine loaded from statemachines/ticket-lifecycle.asl.json with their ARNs
 * substituted for its placeholders (the aligent `step-function-from-file` pattern), the starter
 * that starts a new ticket's execution from the table's stream (intake does not wait on it), and
 * the reconciler: on a five-minute schedule, and on the machine's status-change events for an
 * execution that failed, timed out or was aborted.
 *
 * Least privilege: each function gets only the table access and API calls its handler makes.
 * The few statements whose Resource is "*" are ones AWS requires; each is commented where it
 * is made (here or by CDK on our behalf) and test/stack.test.ts asserts exactly those.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RESTARTED_EXECUTION_STATUSES } from '../../functions/shared/execution-status';
import { STREAM_SOURCE } from '../../functions/workflow/start';
import { TierdeskFunction } from '../functions';
import { acknowledgeExecutionArns, aslStateMachine, executionArns } from './asl-state-machine';
import { grantSendAs } from './ses-identities';

/** The machine every ticket runs; the single definition the local runtime runs too. */
export const TICKET_LIFECYCLE_FILE = resolve(fileURLToPath(import.meta.url), '../../../statemachines/ticket-lifecycle.asl.json');

/** Environment variable through which handlers find the ticket state machine. */
export const STATE_MACHINE_ENV = 'TIERDESK_TICKET_STATE_MACHINE_ARN';

export { aslPlaceholders } from './asl-state-machine';

export interface TicketWorkflowProps {
  table: ITableV2;
  /** Absolute path of the validated policy file bundled with every function. */
  policyFile: string;
  /**
   * SES identities Step may send as: a verified domain (`support.example.com`) or address.
   * An address also allows its domain's identity, which SES authorizes against when the domain
   * is the verified identity. Empty: the policy sends no mail, so Step gets no SES permission.
   */
  senderIdentities: string[];
}

export class TicketWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly step: TierdeskFunction;
  readonly park: TierdeskFunction;
  readonly reconciler: TierdeskFunction;
  readonly starter: TierdeskFunction;
  /** Schedule events EventBridge could not deliver to the reconciler. */
  readonly scheduleDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: TicketWorkflowProps) {
    super(scope, id);
    const { table, policyFile } = props;
    const fn = (name: string, description: string, timeout = Duration.seconds(10)) =>
      new TierdeskFunction(this, name, {
        entry: `functions/workflow/${name.toLowerCase()}.ts`,
        handlerFile: name.toLowerCase(),
        table,
        policyFile,
        timeout,
        description,
      });

    // Step sends mail (one SES call per address), hence the longer timeout.
    this.step = fn('Step', "tierdesk workflow: applies due SLA events, sends the ticket's mail, plans the next wake-up", Duration.seconds(60));
    this.park = fn('Park', 'tierdesk workflow: parks the task token until the ticket changes or the deadline comes');
    this.starter = fn('Start', "tierdesk workflow: starts a new ticket's execution from the table's stream, after intake answered", Duration.seconds(30));
    this.reconciler = fn('Reconcile', 'tierdesk workflow: restarts ended executions, makes the starts and wakes owed, sweeps open tickets a stretch at a time', Duration.minutes(2));

    // Table access, as each handler uses the store.
    table.grantReadWriteData(this.step); // updates the ticket with its version check, links sent Message-IDs, moves it to its next run on a hand-over
    table.grantReadWriteData(this.park); // writes (and may take) the WAIT item
    table.grantReadWriteData(this.reconciler); // lists open tickets; moves one whose execution ended to its next run
    table.grantReadWriteData(this.starter); // reads the ticket, clears the start owed (and records it again when refused)

    // Step sends as the configured identities only.
    grantSendAs(this, this.step, props.senderIdentities);

    // Named, so Step (whose ARN is in the definition) can be granted StartExecution on the
    // machine's ARN built from its name: a reference to the machine would be a circular dependency.
    const stateMachineName = `${Stack.of(this).stackName}-TicketLifecycle`;
    this.stateMachine = aslStateMachine(this, 'TicketLifecycle', {
      name: stateMachineName,
      file: TICKET_LIFECYCLE_FILE,
      tasks: { StepFunctionArn: this.step, ParkFunctionArn: this.park },
    });

    // Park wakes the execution itself when the ticket changed between Step and Park, and ends it
    // by failing its own task (SendTaskFailure) when Step answered end or replaced.
    this.grantWake(this.park, ['states:SendTaskSuccess', 'states:SendTaskFailure']);

    // Step starts the ticket's next run when an execution nears Step Functions' limits.
    const machineArn = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.step.addEnvironment(STATE_MACHINE_ENV, machineArn);
    this.step.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [machineArn] }));

    // The reconciler starts executions, sees whether one has ended, and sends the wakes owed: what a ticket handler does.
    this.connectTicketHandler(this.reconciler);

    // A new ticket's start: its owed-start record's insert, from the table's stream, filtered to
    // those records (so the function runs once per new ticket, not per write). From the stream's
    // oldest record, so none written while the mapping was being created is missed. A start refused
    // is handed back from that record, three more times; after that it stays owed and the
    // reconciler makes it within 5 minutes, so no failure destination is needed.
    this.stateMachine.grantStartExecution(this.starter);
    this.starter.addEnvironment(STATE_MACHINE_ENV, this.stateMachine.stateMachineArn);
    const newTickets = new DynamoEventSource(table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: STREAM_SOURCE.batchSize,
      retryAttempts: STREAM_SOURCE.retryAttempts,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      filters: [FilterCriteria.filter(STREAM_SOURCE.filter)],
    });
    this.starter.addEventSource(newTickets);
    const ownedElsewhere =
      "A start the tries could not make stays recorded as owed in the table (the ticket's WORKFLOW item), which the reconciler makes within 5 minutes and alarms on (WorkflowWorkOwed); a failure destination would hold only a pointer to the same record.";
    Validations.of(this.starter).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: `Invoked by a stream event source mapping, not asynchronously. ${ownedElsewhere}` },
      { id: 'Serverless-LambdaEventSourceMappingDestination', reason: ownedElsewhere },
    );
    // A failed run is not retried: the next, 5 minutes later, does the same work (and the
    // function's error alarm tells). Events EventBridge could not deliver at all land in a queue.
    this.reconciler.configureAsyncInvoke({ retryAttempts: 0 });
    this.scheduleDeadLetterQueue = new Queue(this, 'ReconcileScheduleDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    new Rule(this, 'ReconcileSchedule', {
      description: 'tierdesk: make the SLA workflow starts and wakes owed, and sweep a stretch of open tickets',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(this.reconciler, { retryAttempts: 0, deadLetterQueue: this.scheduleDeadLetterQueue })],
    });
    // An execution that ended badly is restarted when Step Functions says so, not when a sweep
    // reaches its ticket. Delivery is best effort: the sweep remains the net.
    new Rule(this, 'TicketExecutionEnded', {
      description: "tierdesk: restart a ticket's SLA workflow execution that failed, timed out or was aborted",
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...RESTARTED_EXECUTION_STATUSES], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [new LambdaFunction(this.reconciler, { retryAttempts: 4, deadLetterQueue: this.scheduleDeadLetterQueue })],
    });

    Validations.of(this.scheduleDeadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue (of the reconcile schedule); its messages alarm.' },
      { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself a dead-letter queue (of the reconcile schedule).' },
    );
    for (const task of [this.step, this.park]) {
      Validations.of(task).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked synchronously by the ticket state machine, whose Retry handles failures; an execution that still fails alarms and is restarted by the reconciler.',
      });
    }
    Validations.of(this.reconciler).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason: 'A scheduled sweep with no event worth keeping: the next run, 5 minutes later, repeats the work; failures alarm (function errors).',
      },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason: 'As for Serverless-LambdaDLQ: a failed sweep is repeated by the next one, and alarms.' },
    );
  }

  /** ARN pattern of every execution of the ticket state machine. */
  executionArns(): string {
    return executionArns(this.stateMachine);
  }

  /**
   * What a handler that opens and changes tickets needs (functions/shared/workflow.ts): start and
   * wake executions, and see whether a reopened ticket's execution still runs.
   */
  connectTicketHandler(handler: TierdeskFunction): void {
    handler.addEnvironment(STATE_MACHINE_ENV, this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(handler);
    handler.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [this.executionArns()] }));
    acknowledgeExecutionArns(handler, this.stateMachine);
    this.grantWake(handler);
  }

  /**
   * states:SendTaskSuccess (wakeTicket) on "*". The Service Authorization Reference lists no resource
   * type for SendTaskSuccess/Failure/Heartbeat ("does not support resource-level permissions; specify
   * '*'"): the call names only a task token, not a state machine, so it cannot be scoped to this
   * machine in IAM. Only the calls a handler makes are granted: SendTaskSuccess, and for Park
   * SendTaskFailure.
   */
  private grantWake(grantee: TierdeskFunction, actions: string[] = ['states:SendTaskSuccess']): void {
    grantee.addToRolePolicy(new PolicyStatement({ actions, resources: ['*'] }));
    Validations.of(grantee.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${actions.join(' and ')} support no resource-level permissions (the call names a task token, not a machine); test/stack.test.ts allows "*" for no other action.`,
    });
  }
}
