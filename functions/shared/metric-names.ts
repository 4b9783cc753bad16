/** The names of tierdesk's metrics: emitted by the handlers (metrics.ts), alarmed on and charted by lib/monitoring. */

/** Namespace of every tierdesk metric; the `service` dimension is the stack's name (POWERTOOLS_SERVICE_NAME). */
export const METRICS_NAMESPACE = 'tierdesk';

export const METRIC = {
  /** A ticket was opened; dimension `channel`. */
  ticketsOpened: 'TicketsOpened',
  /** An SLA objective or a management-chain step was breached. */
  slaBreaches: 'SlaBreaches',
  /** Open tickets (being worked) per tier, counted by the reconciler every 5 minutes; dimension `tier`. */
  openTickets: 'OpenTickets',
  /** A received mail was taken in (new ticket, reply or auto-reply). */
  mailReceived: 'MailReceived',
  /** A mail SES accepted (tickets' notifications and support periods' mail). */
  mailSent: 'MailSent',
  /** A send SES did not take; it is retried. */
  mailSendFailures: 'MailSendFailures',
  /** Workflow starts and wakes a reconciler run could not make (Step Functions refused them); they stay owed for the next run. */
  workflowWorkOwed: 'WorkflowWorkOwed',
} as const;
