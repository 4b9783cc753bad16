/**
 * Dedicated support periods in AWS (docs/support-periods.md): the step function behind every
 * task of statemachines/support-period.asl.json (functions/periods/step.ts) and the state machine
 * loaded from that file with the function's ARN substituted for its placeholder. The API function
 * starts one execution per booked period (`<order id>-p<n>`) and stops them on a cancellation
 * (functions/periods/orders.ts); connectOrderHandler grants it exactly that.
 *
 * Least privilege, as in the ticket workflow: the step function may use the table and send mail
 * as the configured identities; the machine may invoke only the step function. The machine's
 * log-delivery and X-Ray statements on "*" are made by CDK, as AWS requires (see below).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TierdeskFunction } from '../functions';
import { acknowledgeExecutionArns, aslStateMachine, executionArns } from './asl-state-machine';
import { grantSendAs } from './ses-identities';

/** The machine every booked period of a support order runs. */
export const SUPPORT_PERIOD_FILE = resolve(fileURLToPath(import.meta.url), '../../../statemachines/support-period.asl.json');

/** Environment variable through which the API function finds the period state machine (functions/periods/orders.ts). */
export const PERIOD_STATE_MACHINE_ENV = 'TIERDESK_PERIOD_STATE_MACHINE_ARN';

export interface SupportPeriodWorkflowProps {
  table: ITableV2;
  /** Absolute path of the validated policy file bundled with the function. */
  policyFile: string;
  /**
   * SES identities the step function may send as (the policy's `notifications.from` or the
   * configured sender), granted exactly as the ticket workflow's Notify. Empty: no SES permission.
   */
  senderIdentities: string[];
}

export class SupportPeriodWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  /** The one task function: plan, notice, start and end steps of a period. */
  readonly step: TierdeskFunction;

  constructor(scope: Construct, id: string, props: SupportPeriodWorkflowProps) {
    super(scope, id);
    const { table, policyFile } = props;

    this.step = new TierdeskFunction(this, 'PeriodStep', {
      entry: 'functions/periods/step.ts',
      handlerFile: 'period-step',
      table,
      policyFile,
      timeout: Duration.seconds(30),
      description: 'tierdesk support periods: plans a period, mails its notice, start and summary, turns routing on and off, hands tickets over',
    });
    // Reads the order, the engineer and the customer's tickets; writes the order's status and the routing item.
    table.grantReadWriteData(this.step);
    Validations.of(this.step).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by the support period state machine, whose Retry handles failures; an execution that still fails alarms.',
    });
    // Mails the point of contact as the configured identities only.
    grantSendAs(this, this.step, props.senderIdentities);
    // The end step hands the period's tickets over and wakes their workflows to mail the new owner
    // (functions/shared/workflow.ts wakeTicket). SendTaskSuccess names a task token, not a machine:
    // IAM offers no resource narrower than "*" for it.
    this.step.addToRolePolicy(new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: ['*'] }));
    Validations.of(this.step.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'states:SendTaskSuccess supports no resource-level permissions (the call names a task token, not a machine); test/stack.test.ts allows "*" for no other action.',
    });

    // Named like the ticket machine, so it reads as the stack's in the console.
    this.stateMachine = aslStateMachine(this, 'SupportPeriod', {
      name: `${Stack.of(this).stackName}-SupportPeriod`,
      file: SUPPORT_PERIOD_FILE,
      tasks: { PeriodStepFunctionArn: this.step },
    });
  }

  /** ARN pattern of every execution of the period state machine (`<order id>-p<n>`). */
  executionArns(): string {
    return executionArns(this.stateMachine);
  }

  /**
   * What the function serving /support-orders needs (functions/periods/orders.ts): the machine's
   * ARN, StartExecution on the machine, and DescribeExecution + StopExecution on its executions only.
   */
  connectOrderHandler(handler: TierdeskFunction): void {
    handler.addEnvironment(PERIOD_STATE_MACHINE_ENV, this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(handler);
    handler.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [this.executionArns()] }));
    acknowledgeExecutionArns(handler, this.stateMachine);
  }
}
