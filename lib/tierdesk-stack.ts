/**
 * The tierdesk stack: the table, the HTTP API and the ticket workflow; email, webhooks and
 * notifications join as their features land.
 */
import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { loadPolicy, policyPath } from '../core/policy/files';
import { TicketApi } from './api/http-api';
import { TicketTable } from './data/table';
import { InboundEmail, recipientsFromContext, validateRecipients } from './email/inbound-email';
import { Webhooks } from './webhooks/webhooks';
import { SupportPeriodWorkflow } from './workflows/support-period-workflow';
import { TicketWorkflow } from './workflows/ticket-workflow';

export interface TierdeskStackProps extends StackProps {
  /** Preset name or policy file; validated at synth time so a bad policy never deploys. */
  policy?: string;
  /**
   * The SES identity (verified domain or address) mail is sent as. Default: the CDK context value
   * `senderIdentity`, else the policy's `notifications.from`. With none of them the policy sends
   * no mail and no SES permission is granted.
   */
  senderIdentity?: string;
  /**
   * Addresses or domains SES receives mail for (lib/email/inbound-email.ts). Default: the CDK
   * context value `inboundRecipients` (comma-separated or a JSON array), else none: no inbound email.
   */
  inboundRecipients?: string[];
}

export class TierdeskStack extends Stack {
  readonly workflow: TicketWorkflow;
  /** One execution per booked period of a dedicated support order. */
  readonly periods: SupportPeriodWorkflow;
  /** Always created: with no integrations in the policy it answers every delivery 404. */
  readonly webhooks: Webhooks;
  /** Absent when no inbound recipients are configured. */
  readonly inboundEmail?: InboundEmail;

  constructor(scope: Construct, id: string, props: TierdeskStackProps = {}) {
    super(scope, id, props);
    Tags.of(this).add('application', 'tierdesk');
    const policyRef = props.policy ?? 'caret';
    const policy = loadPolicy(policyRef); // throws, listing every problem, before anything is built
    const policyFile = policyPath(policyRef);
    const senderIdentity: string | undefined =
      props.senderIdentity ?? this.node.tryGetContext('senderIdentity') ?? policy.notifications?.from;
    const data = new TicketTable(this, 'Data');
    const api = new TicketApi(this, 'Api', { table: data.table, policyFile });
    this.workflow = new TicketWorkflow(this, 'Workflow', {
      table: data.table,
      policyFile,
      senderIdentities: senderIdentity ? [senderIdentity] : [],
    });
    this.workflow.connectTicketHandler(api.handler);
    this.periods = new SupportPeriodWorkflow(this, 'Periods', {
      table: data.table,
      policyFile,
      senderIdentities: senderIdentity ? [senderIdentity] : [],
    });
    this.periods.connectOrderHandler(api.handler); // the API serves /support-orders
    this.webhooks = new Webhooks(this, 'Webhooks', { table: data.table, policyFile, integrations: policy.integrations, api: api.api, workflow: this.workflow });
    const recipients = props.inboundRecipients
      ? validateRecipients(props.inboundRecipients)
      : recipientsFromContext(this.node.tryGetContext('inboundRecipients'));
    if (recipients.length > 0) {
      this.inboundEmail = new InboundEmail(this, 'InboundEmail', { table: data.table, policyFile, workflow: this.workflow, recipients });
    }
  }
}
