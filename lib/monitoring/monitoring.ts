/**
 * What tells the on-call engineer something is wrong (README, "Operating"): one SNS topic, mailed
 * to the alarm email, and an alarm with that action on every way tierdesk can fail quietly —
 * a function's errors or throttles, a stream consumer falling behind, a failed state-machine execution, a message left in a
 * dead-letter queue, the API answering 5xx, SES refusing mail for 15 minutes — and on the
 * business signal, an SLA breach. A CloudWatch dashboard charts intake per channel, open tickets
 * per tier, breaches and mail in and out from the handlers' EMF metrics (functions/shared/metrics.ts).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, AlarmStatusWidget, ComparisonOperator, Dashboard, GraphWidget, type IMetric, Metric, TextWidget, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CHANNELS } from '../../core/tickets/model';
import { METRIC, METRICS_NAMESPACE } from '../../functions/shared/metric-names';

const PERIOD = Duration.minutes(5);
/** A stream consumer this far behind (its oldest record's age) is stuck, not busy. */
const STREAM_BEHIND_MS = 60_000;

export interface MonitoringProps {
  stage: string;
  /** Where alarms are mailed; without it they go to the topic only (subscribe to it yourself). */
  alarmEmail?: string;
  /** Every function, by the name alarms and the dashboard show. */
  functions: Record<string, IFunction>;
  stateMachines: Record<string, IStateMachine>;
  /** Queues whose every message is something that could not be done, with what it means. */
  deadLetterQueues: { name: string; queue: IQueue; meaning: string }[];
  /** Functions fed by the table's stream, by name: alarmed when they fall a minute behind it. */
  streamConsumers?: Record<string, IFunction>;
  /** Alarms made elsewhere (e.g. quarantined mail) that should notify too. */
  otherAlarms?: Alarm[];
  api: HttpApi;
  /** The policy's tier ids, charted as open tickets per tier. */
  tiers: string[];
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly service: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.service = stack.stackName;

    // A customer managed key: CloudWatch can publish to an encrypted topic only if the key
    // policy lets it use the key, which an AWS managed key's policy does not.
    // It encrypts alarm messages in flight only, so it may go with the stack (after AWS's waiting period).
    const key = new Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: `tierdesk ${props.stage}: encrypts the alarm topic`,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy "*" means this key
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { displayName: `tierdesk ${props.stage} alarms`, masterKey: key, enforceSSL: true });
    if (props.alarmEmail) {
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An email subscription: SNS retries delivery, and an alarm that could not be mailed stays in ALARM on the dashboard; a dead-letter queue of alarm mails would need an alarm of its own.',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn, description: 'tierdesk alarms are published here (and mailed to alarmEmail once confirmed)' });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), `${name} function failed (an exception or a timeout); see its log group`);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), `${name} function was throttled (account or reserved concurrency reached)`);
    }
    for (const [name, fn] of Object.entries(props.streamConsumers ?? {})) {
      this.alarm(
        `${name}Behind`,
        fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
        `${name} is more than a minute behind the table's stream (new tickets wait for their SLA workflow; the reconciler starts any left owed within 5 minutes); see its errors and throttles`,
        1,
        STREAM_BEHIND_MS,
      );
    }
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      this.alarm(
        `${name}ExecutionsFailed`,
        machine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
        `a ${name} execution failed; the reconciler restarts ticket executions within 5 minutes, look at the failed execution's history`,
      );
    }
    for (const { name, queue, meaning } of props.deadLetterQueues) {
      this.alarm(`${name}DeadLetters`, queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }), meaning);
    }
    this.alarm('ApiServerErrors', props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }), 'the HTTP API answered 5xx (a function failed, timed out or was throttled)');
    this.alarm('SlaBreaches', this.businessMetric(METRIC.slaBreaches), 'a ticket breached an SLA objective or a management-chain step; see the tickets flagged sla-breached');
    this.alarm(
      'MailNotSent',
      this.businessMetric(METRIC.mailSendFailures),
      'SES refused mail for 15 minutes; tickets keep it queued and retry every 15 minutes (check SES sending, quotas and the identity)',
      3,
    );
    this.alarm(
      'WorkflowWorkOwed',
      this.businessMetric(METRIC.workflowWorkOwed),
      'for 15 minutes the reconciler could not start or wake ticket workflows (Step Functions refused them); their clocks wait, nothing is lost, each run tries again',
      3,
    );
    for (const alarm of props.otherAlarms ?? []) {
      alarm.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(alarm);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: this.service.replace(/[^A-Za-z0-9_-]/g, '-'), // the stack's name, which carries the stage
      defaultInterval: Duration.days(1),
    });
    const graph = (title: string, metrics: IMetric[]) => new GraphWidget({ title, left: metrics, width: 12, height: 6 });
    this.dashboard.addWidgets(new TextWidget({ markdown: `# tierdesk ${props.stage}\nAlarms mail the topic's subscribers; README "Operating" says what each means.`, width: 24, height: 2 }));
    this.dashboard.addWidgets(
      graph(
        'Tickets opened per channel',
        CHANNELS.map((channel) => this.businessMetric(METRIC.ticketsOpened, { channel }, channel)),
      ),
      graph(
        'Open tickets per tier',
        props.tiers.map((tier) => this.businessMetric(METRIC.openTickets, { tier }, tier, 'Maximum')),
      ),
    );
    this.dashboard.addWidgets(
      graph('SLA breaches', [this.businessMetric(METRIC.slaBreaches)]),
      graph('Mail in and out', [
        this.businessMetric(METRIC.mailReceived, {}, 'received'),
        this.businessMetric(METRIC.mailSent, {}, 'sent'),
        this.businessMetric(METRIC.mailSendFailures, {}, 'refused by SES (retried)'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        Object.entries(props.functions).map(([name, fn]) => fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name })),
      ),
      graph(
        'Failed executions',
        Object.entries(props.stateMachines).map(([name, machine]) => machine.metricFailed({ period: PERIOD, statistic: 'Sum', label: name })),
      ),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }));
  }

  /** A tierdesk EMF metric of this deployment (namespace tierdesk, dimension service = the stack's name). */
  private businessMetric(name: string, dimensions: Record<string, string> = {}, label?: string, statistic = 'Sum'): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: this.service, ...dimensions },
      period: PERIOD,
      statistic,
      ...(label ? { label } : {}),
    });
  }

  /** In alarm when the metric is above `threshold` (0) for `periods` consecutive 5-minute periods; mails the topic. */
  private alarm(id: string, metric: IMetric, description: string, periods = 1, threshold = 0): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: `tierdesk: ${description}`,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      // No data is no failure: a quiet hour has no errors and no breaches.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
