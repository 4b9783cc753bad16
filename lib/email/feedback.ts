/**
 * SES feedback (issue [8], docs/mail-feedback.md): every mail the desk sends carries this
 * configuration set, whose event destination publishes BOUNCE and COMPLAINT events to the
 * account's default EventBridge bus; a rule matching this configuration set invokes the feedback
 * function, which records them on the ticket and suppresses the address (functions/email/feedback.ts).
 * AWS asks for bounce and complaint handling before it lifts an account out of the SES sandbox.
 *
 * Why EventBridge rather than SNS → SQS → Lambda: SES publishes to the default bus with no
 * resource policy, topic or key to manage (an SNS destination would need an encrypted topic whose
 * customer managed key SES may use), the rule filters on the configuration set so the function
 * never sees another application's mail, and bounces arrive one at a time at low volume, so SQS
 * batching buys nothing. Failures are caught twice: the rule's target retries a failed invocation
 * (a throttle) and then parks the event in the dead-letter queue; the function's asynchronous
 * invocation retries an error twice and then sends it to the same queue as an on-failure record
 * (with the error). Any message there raises an alarm (lib/monitoring). A malformed notification
 * is not an error: the handler logs it and drops it, so nothing is retried forever.
 *
 * Least privilege: the function may read and put items of the table (not its indexes), nothing
 * else but its queue, log group and traces. Senders get the configuration set through
 * connectSender: its name in their environment, and ses:SendEmail/SendRawEmail on it.
 */
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ConfigurationSet, ConfigurationSetEventDestination, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONFIGURATION_SET_ENV } from '../../functions/store/suppressions';
import { TierdeskFunction } from '../functions';
import { sesIdentities } from '../workflows/ses-identities';

export { CONFIGURATION_SET_ENV };

/** The EventBridge detail types of SES's bounce and complaint events. */
export const FEEDBACK_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'];

export interface MailFeedbackProps {
  table: ITableV2;
  /** Absolute path of the validated policy file bundled with the function. */
  policyFile: string;
}

export class MailFeedback extends Construct {
  /** Every mail the desk sends names it (connectSender). */
  readonly configurationSet: ConfigurationSet;
  readonly eventDestination: ConfigurationSetEventDestination;
  readonly rule: Rule;
  readonly handler: TierdeskFunction;
  /** Events EventBridge could not deliver and invocations that failed after their retries. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);
    const { table, policyFile } = props;

    // Named after the stack, so the README and the logs can say which one it is (at most 64 characters).
    const name = `${Stack.of(this).stackName}-mail`;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      ...(!Token.isUnresolved(name) && name.length <= 64 && /^[A-Za-z0-9_-]+$/.test(name) ? { configurationSetName: name } : {}),
      // Bounce and complaint rates of the desk's own mail in CloudWatch (AWS/SES), said explicitly:
      // left out, the template leaves it to SES's default.
      reputationMetrics: true,
    });
    this.eventDestination = new ConfigurationSetEventDestination(this, 'BouncesAndComplaints', {
      configurationSet: this.configurationSet,
      // SES publishes only to the default bus.
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    this.handler = new TierdeskFunction(this, 'Feedback', {
      entry: 'functions/email/feedback.ts',
      handlerFile: 'feedback',
      table,
      policyFile,
      timeout: Duration.seconds(30),
      memorySize: 256,
      description: 'tierdesk email: records SES bounces and complaints on the ticket and suppresses the address',
    });
    this.handler.addEnvironment(CONFIGURATION_SET_ENV, this.configurationSet.configurationSetName);
    // Exactly what it does: reads the Message-ID link and the ticket, puts the suppression and the
    // timeline event (a TransactWriteItems of Puts needs dynamodb:PutItem). No index, no delete.
    this.handler.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: "This queue is itself the dead-letter queue of the feedback rule's target and the feedback function's on-failure destination." },
      { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself a dead-letter queue.' },
    );
    // As the ingest function: an on-failure destination, whose record carries the event with the error.
    this.handler.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
    Validations.of(this.handler).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Failed invocations go to an on-failure destination (the SQS queue above), whose record carries the SES event with the error; a DLQ would carry the event alone.',
    });

    this.rule = new Rule(this, 'Rule', {
      description: "tierdesk: SES bounces and complaints of the desk's own mail, to the feedback function",
      eventPattern: {
        source: ['aws.ses'],
        detailType: FEEDBACK_DETAIL_TYPES,
        // Only mail sent with this configuration set: other applications in the account share the bus.
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [new LambdaFunction(this.handler, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
  }

  /**
   * Lets a function that sends mail send it through the configuration set: its name in the
   * environment (functions/notifications/send.ts sets it on every mail) and, when the function may
   * send as any identity, ses:SendEmail/SendRawEmail on the configuration set too (SES authorizes a
   * send against the configuration set it names as well as the identity).
   */
  connectSender(sender: TierdeskFunction, senderIdentities: readonly string[]): void {
    sender.addEnvironment(CONFIGURATION_SET_ENV, this.configurationSet.configurationSetName);
    if (sesIdentities(senderIdentities).length === 0) return;
    sender.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
    );
  }
}
