/**
 * Inbound email (issue [4]): SES receives mail for the configured recipients, stores the raw MIME
 * in S3 under `inbound/<SES messageId>`, then invokes the ingest function asynchronously, which
 * reads the message, writes attachments under `attachments/` and opens or updates the ticket.
 *
 * Least privilege: the ingest function may read only `inbound/*` and write only `attachments/*`;
 * SES may put objects only under `inbound/` and invoke the function only on behalf of this account.
 * The one "*" resource (states:SendTaskSuccess, from connectTicketHandler) is explained in
 * ticket-workflow.ts.
 *
 * A receipt rule set does nothing until it is the account's active one, and CloudFormation has no
 * resource for that: the vendor runs `aws ses set-active-receipt-rule-set` once after the first
 * deploy (README, "Inbound email"). We do not automate it with a custom resource because only one
 * rule set per account and region can be active: switching silently would cut off whatever mail
 * the vendor already receives through SES.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { FilterPattern } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { ReceiptRule, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ATTACHMENT_PREFIX, INBOUND_PREFIX } from '../../functions/email/layout';
import { TierdeskFunction } from '../functions';
import { nagRef } from '../nag';
import type { TicketWorkflow } from '../workflows/ticket-workflow';

/** Raw MIME at `inbound/<SES messageId>`, attachments under `attachments/` (functions/email/layout.ts). */
export { ATTACHMENT_PREFIX, INBOUND_PREFIX };

/** SES accepts at most 100 recipient conditions per receipt rule. */
export const MAX_RECIPIENTS = 100;

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/**
 * Whether an SES recipient condition is an address (`support@example.com`), a domain
 * (`example.com`) or a domain's subdomains (`.example.com`).
 */
export function isRecipient(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at >= 0) return at <= 64 && LOCAL_PART.test(value.slice(0, at)) && DOMAIN.test(value.slice(at + 1));
  return DOMAIN.test(value.startsWith('.') ? value.slice(1) : value);
}

/** Trimmed, de-duplicated recipients; throws naming the first value that is no address or domain. */
export function validateRecipients(recipients: readonly unknown[]): string[] {
  const valid = recipients.map((recipient) => {
    const value = typeof recipient === 'string' ? recipient.trim() : recipient;
    if (typeof value !== 'string' || !isRecipient(value)) {
      throw new Error(`inboundRecipients: ${JSON.stringify(recipient)} is not an email address (support@example.com) or a domain (example.com, or .example.com for its subdomains)`);
    }
    return value;
  });
  const unique = [...new Set(valid)];
  if (unique.length > MAX_RECIPIENTS) throw new Error(`inboundRecipients: ${unique.length} given; an SES receipt rule accepts at most ${MAX_RECIPIENTS}`);
  return unique;
}

/**
 * Recipients from the `inboundRecipients` CDK context value: an array (cdk.json), a JSON array
 * string (`-c 'inboundRecipients=["a@x.com"]'`) or a comma-separated string
 * (`-c inboundRecipients=a@x.com,x.org`). Absent or empty: no recipients.
 */
export function recipientsFromContext(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return validateRecipients(value);
  if (typeof value !== 'string') throw new Error(`inboundRecipients: expected a comma-separated string or an array, got ${JSON.stringify(value)}`);
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`inboundRecipients: ${JSON.stringify(value)} is not a valid JSON array`);
    }
    if (!Array.isArray(parsed)) throw new Error(`inboundRecipients: ${JSON.stringify(value)} is not a JSON array`);
    return validateRecipients(parsed);
  }
  return validateRecipients(text.split(',').filter((entry) => entry.trim() !== ''));
}

export interface InboundEmailProps {
  table: ITableV2;
  /** Absolute path of the validated policy file bundled with the function. */
  policyFile: string;
  /** The workflow the ingest function opens and wakes ticket executions of. */
  workflow: TicketWorkflow;
  /** Addresses or domains SES accepts mail for (at least one; see validateRecipients). */
  recipients: string[];
  /** Days raw mail under `inbound/` is kept. Default 365. Attachments are kept: tickets link to them. */
  inboundRetentionDays?: number;
  /** Days a replaced or deleted version of raw mail is kept (versioning is on). Default 30. */
  noncurrentVersionRetentionDays?: number;
}

export class InboundEmail extends Construct {
  /** Raw inbound mail (`inbound/`) and the attachments extracted from it (`attachments/`). */
  readonly bucket: Bucket;
  /** Server access logs of the mail bucket (kept a year). */
  readonly accessLogs: Bucket;
  readonly ingest: TierdeskFunction;
  /** Invocations that failed after every retry (Lambda on-failure destination records). */
  readonly deadLetterQueue: Queue;
  /**
   * A received message was quarantined: a virus verdict FAIL, or a mail that can never become a
   * ticket (raw message gone, no sender, a write the store refuses). The handler logs
   * `metric: MailQuarantined` with the reason (docs/inbound-email.md).
   */
  readonly quarantineAlarm: Alarm;
  readonly ruleSet: ReceiptRuleSet;
  readonly rule: ReceiptRule;
  /** Recipients the rule accepts, validated. */
  readonly recipients: string[];

  constructor(scope: Construct, id: string, props: InboundEmailProps) {
    super(scope, id);
    const { table, policyFile, workflow } = props;
    this.recipients = validateRecipients(props.recipients);
    if (this.recipients.length === 0) throw new Error('InboundEmail: at least one recipient is required (create no InboundEmail to receive no mail)');
    const retentionDays = props.inboundRetentionDays ?? 365;
    const noncurrentDays = props.noncurrentVersionRetentionDays ?? 30;
    for (const [name, days] of [
      ['inboundRetentionDays', retentionDays],
      ['noncurrentVersionRetentionDays', noncurrentDays],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) throw new Error(`InboundEmail: ${name} must be a whole number of days, at least 1 (got ${days})`);
    }

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED, // the only encryption S3 server access logging delivers to
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    Validations.of(this.accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging its own access would log forever.' });

    this.bucket = new Bucket(this, 'MailBucket', {
      // S3-managed keys, not KMS: SES's S3 action writes with the bucket's default encryption and
      // needs no key grant, and the function needs no kms:Decrypt/GenerateDataKey. (The action's own
      // kmsKey option is client-side encryption the handler would have to undo with the S3
      // encryption client.) Access is limited by IAM per prefix and by the bucket policy instead.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      // Customers' mail must survive a stack deletion.
      removalPolicy: RemovalPolicy.RETAIN,
      // Who read or wrote customers' mail, kept in a bucket of its own.
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'mail-bucket/',
      lifecycleRules: [
        {
          id: 'expire-raw-mail',
          prefix: INBOUND_PREFIX,
          expiration: Duration.days(retentionDays),
          // With versioning on, expiry only adds a delete marker; this removes the mail itself.
          noncurrentVersionExpiration: Duration.days(noncurrentDays),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    this.ingest = new TierdeskFunction(this, 'Ingest', {
      entry: 'functions/email/ingest.ts',
      handlerFile: 'ingest',
      table,
      policyFile,
      timeout: Duration.seconds(60),
      // MIME parsing of large messages (up to SES's 40 MB) wants more memory, and the CPU that comes with it.
      memorySize: 1024,
      description: 'tierdesk email: turns a received message into a new ticket or a reply on one',
    });
    this.ingest.addEnvironment('TIERDESK_MAIL_BUCKET', this.bucket.bucketName);
    this.ingest.addEnvironment('TIERDESK_INBOUND_PREFIX', INBOUND_PREFIX);
    this.ingest.addEnvironment('TIERDESK_ATTACHMENT_PREFIX', ATTACHMENT_PREFIX);
    this.ingest.addEnvironment('TIERDESK_INBOUND_ADDRESSES', this.recipients.join(','));

    // Exactly the two S3 calls the handler makes, each on its prefix (bucket.grantRead/grantPut
    // would add s3:GetObject*, s3:List*, s3:Abort* and the like).
    this.ingest.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${INBOUND_PREFIX}*`)] }));
    this.ingest.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${ATTACHMENT_PREFIX}*`)] }));
    for (const prefix of [INBOUND_PREFIX, ATTACHMENT_PREFIX]) {
      Validations.of(this.ingest.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagRef(this.bucket, 'Arn')}/${prefix}*]`,
        reason: `Objects under ${prefix} only (their keys are SES message ids and attachment names, not known in advance).`,
      });
    }
    table.grantReadWriteData(this.ingest); // finds the customer and ticket, writes the ticket and its timeline
    workflow.connectTicketHandler(this.ingest); // starts a new ticket's execution, wakes an updated one

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // An on-failure destination rather than the function's deadLetterQueue: its record carries the
    // SES event together with the error and the retry count (a DLQ gets only the event), Lambda
    // recommends destinations over DLQs, and TierdeskFunction takes no DLQ construction prop.
    // The grant is sqs:SendMessage/GetQueueAttributes/GetQueueUrl on this queue only; SQS-managed
    // encryption needs no KMS permission.
    this.ingest.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
    // Its alarm (any message visible) is made with the others in lib/monitoring.
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue (on-failure destination) of the ingest function.' },
      { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself a dead-letter queue.' },
    );
    Validations.of(this.ingest).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Failed invocations go to an on-failure destination (the SQS queue above), whose record carries the SES event with the error; a DLQ would carry the event alone.',
    });

    // The handler logs one line per quarantined mail; a metric filter counts them, and any is an alarm.
    this.quarantineAlarm = this.ingest.logGroup
      .addMetricFilter('QuarantinedMail', {
        filterPattern: FilterPattern.stringValue('$.metric', '=', 'MailQuarantined'),
        metricNamespace: 'tierdesk',
        metricName: 'MailQuarantined',
        metricValue: '1',
      })
      .metric({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'QuarantineAlarm', {
        alarmDescription:
          'tierdesk inbound email: a received message was quarantined (a virus verdict FAIL, or a mail that can never become a ticket; the reason is in the ingest log line; the raw message stays in the mail bucket, no ticket)',
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });

    // Named after the stack so the activation command in the README is predictable (names must be
    // under 64 characters; a longer stack name lets CloudFormation pick one: see the output).
    const ruleSetName = `${Stack.of(this).stackName}-inbound`;
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', !Token.isUnresolved(ruleSetName) && ruleSetName.length < 64 ? { receiptRuleSetName: ruleSetName } : {});
    this.rule = new ReceiptRule(this, 'Rule', {
      ruleSet: this.ruleSet,
      recipients: this.recipients,
      // SES adds spam and virus verdicts to the event and the headers; the handler acts on them.
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        // Adds the bucket-policy statement letting ses.amazonaws.com put objects under inbound/*
        // only, on condition aws:SourceAccount = this account (and makes the rule depend on it).
        new S3Action({ bucket: this.bucket, objectKeyPrefix: INBOUND_PREFIX }),
        // Adds the permission letting ses.amazonaws.com invoke the function, with SourceAccount
        // = this account. EVENT: asynchronous, so retries and the on-failure destination apply.
        new LambdaAction({ function: this.ingest, invocationType: LambdaInvocationType.EVENT }),
      ],
    });
    new CfnOutput(this, 'ReceiptRuleSetName', {
      value: this.ruleSet.receiptRuleSetName,
      description: 'tierdesk inbound email: activate once with `aws ses set-active-receipt-rule-set --rule-set-name <this>`',
    });
    new CfnOutput(this, 'MailBucketName', { value: this.bucket.bucketName, description: 'tierdesk inbound email: raw mail and attachments' });
  }

  /**
   * Lets the API serve attachments (GET /tickets/{id}/attachments/…, functions/api/attachments.ts):
   * s3:GetObject on the attachment prefix only, never the raw mail, and where the bucket is. The
   * route answers with a URL presigned by this role, so the grant is also all such a URL can reach.
   */
  allowAttachmentDownloads(api: TierdeskFunction): void {
    api.addEnvironment('TIERDESK_MAIL_BUCKET', this.bucket.bucketName);
    api.addEnvironment('TIERDESK_ATTACHMENT_PREFIX', ATTACHMENT_PREFIX);
    api.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${ATTACHMENT_PREFIX}*`)] }));
    Validations.of(api.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagRef(this.bucket, 'Arn')}/${ATTACHMENT_PREFIX}*]`,
      reason: `Reads objects under ${ATTACHMENT_PREFIX} only (keys are SES message ids and attachment names); the handler reads only the key stored on the ticket's event.`,
    });
  }
}
