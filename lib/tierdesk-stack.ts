/**
 * The tierdesk stack, composed of readable constructs — data, api, workflows (tickets and
 * support periods), webhooks, email, monitoring — and configured by typed settings
 * (lib/settings.ts): props, else CDK context, validated before anything is built.
 */
import { fileURLToPath } from 'node:url';
import { Annotations, Lazy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { loadPolicy, policyPath } from '../core/policy/files';
import { TicketApi } from './api/http-api';
import { SignIn } from './auth/sign-in';
import { ConsoleHosting } from './console/console-hosting';
import { TicketTable } from './data/table';
import { MailFeedback } from './email/feedback';
import { InboundEmail } from './email/inbound-email';
import { SOURCE_MAPS_CONTEXT, type TierdeskFunction } from './functions';
import { Monitoring } from './monitoring/monitoring';
import { consoleOrigin, resolveSettings, type StackSettings, type StackSettingsInput, sourceMapsOn } from './settings';
import { Webhooks } from './webhooks/webhooks';
import { SupportPeriodWorkflow } from './workflows/support-period-workflow';
import { TicketWorkflow } from './workflows/ticket-workflow';

export type TierdeskStackProps = StackProps &
  Partial<StackSettingsInput> & {
    /** The built console deployed to the bucket; default console/dist (`npm run console:build`). Tests give a small fake. */
    consoleAssets?: string;
  };

/** Where `npm run console:build` writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist', import.meta.url));

export class TierdeskStack extends Stack {
  readonly settings: StackSettings;
  readonly api: TicketApi;
  /** People who sign in (Cognito): the user pool, its groups and the console's app client. */
  readonly signIn: SignIn;
  /** The agent console: private bucket, CloudFront, config.json (lib/console/). */
  readonly console: ConsoleHosting;
  readonly workflow: TicketWorkflow;
  /** One execution per booked period of a dedicated support order. */
  readonly periods: SupportPeriodWorkflow;
  /** Always created: with no integrations in the policy it answers every delivery 404. */
  readonly webhooks: Webhooks;
  /** Absent when no inbound recipients are configured. */
  readonly inboundEmail?: InboundEmail;
  /** SES bounces and complaints of the desk's mail: the configuration set every mail names, and their handler. */
  readonly mailFeedback: MailFeedback;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: TierdeskStackProps = {}) {
    super(scope, id, props);
    const settings = (this.settings = resolveSettings(props, (name) => this.node.tryGetContext(name)));
    // Read by every TierdeskFunction below (lib/functions.ts): set before any of them is built.
    this.node.setContext(SOURCE_MAPS_CONTEXT, sourceMapsOn(settings));
    Tags.of(this).add('application', 'tierdesk');
    Tags.of(this).add('stage', settings.stage);
    const policy = loadPolicy(settings.policy); // throws, listing every problem, before anything is built
    const policyFile = policyPath(settings.policy);
    const senderIdentity = settings.senderIdentity ?? policy.notifications?.from;
    const senderIdentities = senderIdentity ? [senderIdentity] : [];

    const data = new TicketTable(this, 'Data');
    const corsOrigin = consoleOrigin(settings);
    this.api = new TicketApi(this, 'Api', { table: data.table, policyFile, access: settings.apiAccess, ...(corsOrigin ? { corsOrigin } : {}) });
    // The console's config and CSP name sign-in, which names the console's URL as its callback: lazily, to build them in order.
    const signIn = () => this.signIn;
    this.console = new ConsoleHosting(this, 'Console', {
      assetDirectory: props.consoleAssets ?? CONSOLE_DIST,
      config: {
        apiUrl: this.api.api.apiEndpoint,
        issuer: Lazy.string({ produce: () => signIn().issuer }),
        clientId: Lazy.string({ produce: () => signIn().client.userPoolClientId }),
        stage: settings.stage,
      },
      // The API; the issuer (discovery, keys); the hosted domain (token endpoint, sign-out).
      connectSources: [this.api.api.apiEndpoint, `https://cognito-idp.${this.region}.${this.urlSuffix}`, Lazy.string({ produce: () => signIn().hostedSignInOrigin })],
      ...(settings.consoleDomainName && settings.consoleCertificateArn ? { customDomain: { domainName: settings.consoleDomainName, certificateArn: settings.consoleCertificateArn } } : {}),
    });
    if (!corsOrigin) this.api.allowConsoleOrigin(this.console.origin);
    this.signIn = new SignIn(this, 'SignIn', {
      consoleUrl: settings.consoleUrl ?? this.console.url,
      mfa: settings.signInMfa,
      ...(settings.signInDomainPrefix ? { domainPrefix: settings.signInDomainPrefix } : {}),
      ...(settings.adminEmail ? { adminEmail: settings.adminEmail } : {}),
    });
    this.signIn.connectApi(this.api.handler); // the API accepts the console's ID tokens
    this.workflow = new TicketWorkflow(this, 'Workflow', { table: data.table, policyFile, senderIdentities });
    this.workflow.connectTicketHandler(this.api.handler);
    this.periods = new SupportPeriodWorkflow(this, 'Periods', { table: data.table, policyFile, senderIdentities });
    this.periods.connectOrderHandler(this.api.handler); // the API serves /support-orders
    this.mailFeedback = new MailFeedback(this, 'MailFeedback', { table: data.table, policyFile });
    for (const sender of [this.workflow.step, this.periods.step]) this.mailFeedback.connectSender(sender, senderIdentities);
    this.webhooks = new Webhooks(this, 'Webhooks', {
      table: data.table,
      policyFile,
      integrations: policy.integrations,
      api: this.api.api,
      apiUrl: this.api.stage.url,
      workflow: this.workflow,
    });
    if (settings.inboundRecipients.length > 0) {
      this.inboundEmail = new InboundEmail(this, 'InboundEmail', { table: data.table, policyFile, workflow: this.workflow, recipients: settings.inboundRecipients });
      this.inboundEmail.allowAttachmentDownloads(this.api.handler); // GET /tickets/{id}/attachments/…
    }

    const functions: Record<string, TierdeskFunction> = {
      Api: this.api.handler,
      Step: this.workflow.step,
      Park: this.workflow.park,
      Reconcile: this.workflow.reconciler,
      Start: this.workflow.starter,
      PeriodStep: this.periods.step,
      Webhooks: this.webhooks.handler,
      ...(this.inboundEmail ? { Ingest: this.inboundEmail.ingest } : {}),
      Feedback: this.mailFeedback.handler,
    };
    if (settings.reservedConcurrency) this.reserveConcurrency();

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: settings.stage,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
      functions,
      streamConsumers: { Start: this.workflow.starter },
      stateMachines: { TicketLifecycle: this.workflow.stateMachine, SupportPeriod: this.periods.stateMachine },
      deadLetterQueues: [
        {
          name: 'ReconcileSchedule',
          queue: this.workflow.scheduleDeadLetterQueue,
          meaning:
            'EventBridge could not invoke the reconciler with its schedule or an execution status change (its permission or the function is broken); open tickets may be without their SLA clock',
        },
        {
          name: 'MailFeedback',
          queue: this.mailFeedback.deadLetterQueue,
          meaning: 'an SES bounce or complaint could not be recorded after its retries; the address may still be mailed (the queue message holds the SES event; docs/mail-feedback.md)',
        },
        ...(this.inboundEmail
          ? [
              {
                name: 'InboundEmail',
                queue: this.inboundEmail.deadLetterQueue,
                meaning: 'a received message could not be ingested after its retries; the raw mail is in the bucket, the queue message says why (README, "Operating")',
              },
            ]
          : []),
      ],
      // The inbound DLQ alarm is the monitoring's own (above); quarantined mail is alarmed where it is counted.
      otherAlarms: this.inboundEmail ? [this.inboundEmail.quarantineAlarm] : [],
      api: this.api.api,
      tiers: policy.tiers.map((tier) => tier.id),
    });
    if (!settings.alarmEmail) {
      Annotations.of(this).addWarningV2('tierdesk:noAlarmEmail', 'No alarmEmail setting: alarms are published to the alarm topic (output AlarmTopicArn) but mailed to nobody.');
    }
  }

  /**
   * Caps for the functions a runaway would hurt, so they cannot take the account's concurrency
   * from the API: the reconciler runs one sweep at a time; a mail loop or a flood of webhook
   * deliveries waits (SES retries throttled invocations for hours; webhook senders retry a 5xx).
   * Step and Park are not capped: the state machine retries a throttle only briefly, so a cap
   * would turn a burst of deadlines into failed executions. Reserving needs an account limit that
   * leaves 100 unreserved (the default 1,000 does); set reservedConcurrency=false otherwise.
   */
  private reserveConcurrency(): void {
    const caps: [TierdeskFunction | undefined, number][] = [
      [this.workflow.reconciler, 1],
      [this.webhooks.handler, 20],
      [this.inboundEmail?.ingest, 10],
    ];
    for (const [fn, cap] of caps) {
      if (fn) (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = cap;
    }
  }
}
