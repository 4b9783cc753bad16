/**
 * A support ticket (case) and its timeline, as plain JSON-serialisable data. Instants are
 * ISO 8601 strings in UTC so they read well in the table, the API and the logs.
 *
 * A ticket is one DynamoDB item and each stored event another, each at most 400 KB: every text
 * has its maximum in core/limits.ts and every list here is capped (pauses, escalations, outbox,
 * mail thread), so no sequence of requests can outgrow an item (test/limits.test.ts).
 */
import type { MailRecord } from '../mail/ticket-mail';
import type { Notification } from '../notifications/render';

export const CHANNELS = ['web', 'api', 'email', 'phone', 'chat', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export const STATUSES = ['new', 'open', 'pending-customer', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

/** A ticket's SLA workflow has work until it is closed: being worked, or resolved and waiting to close on its own. */
export function hasWorkflowClock(ticket: { status: Status }): boolean {
  return ticket.status !== 'closed';
}

/** What a dedicated period's engineer escalates, each to whom the policy names (supportPeriods.escalation). */
export const PERIOD_ISSUES = ['system', 'configuration'] as const;
export type PeriodIssue = (typeof PERIOD_ISSUES)[number];

export const RESOLUTION_TYPES = ['fix', 'workaround', 'other'] as const;
export type ResolutionType = (typeof RESOLUTION_TYPES)[number];

export interface Requester {
  email?: string;
  name?: string;
  phone?: string;
  /**
   * The company the requester says they are from, as given at intake (web or API): kept even
   * when no customer matches, so triage can match the case to one. Not an entitlement: only the
   * customer records decide that.
   */
  company?: string;
  /**
   * IANA time zone mail to the requester shows times in (beside UTC): given at intake, else the
   * customer record's `timeZone` when the ticket was opened; absent, the plan calendar's zone.
   */
  timeZone?: string;
}

/** Who did something: an agent or admin (by key name), the customer, or the system. */
export interface Actor {
  kind: 'agent' | 'customer' | 'system';
  id: string;
}

/**
 * One objective's clock. `due` is null while the clock is paused, or while the policy sets no
 * target for the ticket's current severity, plan and tier (then `within` is absent; a later
 * severity change can bring the target, and the clock counts from `startedAt`).
 */
export interface Objective {
  /** The target as the policy writes it, e.g. "4h". */
  within?: string;
  calendar?: string;
  startedAt: string;
  due: string | null;
  metAt?: string;
  breachedAt?: string;
  warnedAt?: string;
  /** Set when the objective no longer applies (ticket closed, tier left) without being met. */
  stoppedAt?: string;
}

export interface SlaState {
  plan: string;
  addOns: string[];
  firstResponse?: Objective;
  nextResponse?: Objective;
  /** The current tier's target resolution time. */
  resolution?: Objective & { tier: string };
  /**
   * The regular status report owed to the customer (the policy's statusUpdate `every`): started by
   * an agent's public reply (the first response) and replaced by a fresh one at each later reply,
   * paused with the others while the case waits on the customer, stopped when it is resolved.
   */
  statusUpdate?: Objective;
  /**
   * Spans waiting on the customer; the last one has no `to` while the ticket is paused. Only those
   * that can still move a due instant are kept, at most LIMITS.pauses (core/tickets/rules.ts pausesThatCount).
   */
  pauses: { from: string; to?: string }[];
  /** The earliest due instant of the objectives still running; orders the queue. */
  nextDue?: string;
  /** The customer escalation walking the policy's management chain, if one was asked for. */
  management?: ManagementEscalation;
}

/**
 * A customer escalation (e.g. Customer Success Manager → COO → CEO): the step that must answer
 * now and its own response timer. It is not one of the SLA objectives: it does not order the
 * queue and does not pause while the case waits on the customer, because the answer is owed
 * to the customer's complaint, not to the case work.
 */
export interface ManagementEscalation {
  /** Position of the current step in the policy's managementChain (0 = first). */
  step: number;
  /** The current step's id in the policy, e.g. "csm". */
  stepId: string;
  /** Why the customer asked to escalate. */
  reason: string;
  /** When the current step began; its timer counts from here. */
  startedAt: string;
  /** The step's target as the policy writes it, and the calendar it is measured on. */
  within: string;
  calendar: string;
  due: string;
  /** Someone on the staff answered: the timer stops and the chain goes no further. */
  acknowledgedAt?: string;
  /** The last step's timer passed unanswered: the escalation stays there, flagged. */
  breachedAt?: string;
  /** The ticket was closed while the escalation waited. */
  stoppedAt?: string;
}

export interface Ticket {
  id: string;
  caseNumber: string;
  version: number;
  customerId?: string;
  /**
   * The partner organisation serving the customer, copied from the customer record when the
   * ticket is opened: its agents work the case in the tiers the policy gives to partners
   * (core/access/authorize.ts), with no further read to decide.
   */
  partnerId?: string;
  /**
   * The case moved from a partner-operated tier to one the vendor operates: from then on the
   * vendor works it and the partner reads it and adds internal notes.
   */
  partnerHandover?: { partnerId: string; from: string; to: string; at: string };
  requester: Requester;
  channel: Channel;
  subject: string;
  description: string;
  severity: string;
  caseReason?: string;
  product?: string;
  component?: string;
  tier: string;
  team: string;
  /** The queue the ticket waits in: the tier's team, "<team>:priority", "<team>:breached", "triage" or "dedicated:<engineer>". */
  queue: string;
  status: Status;
  assignee?: string;
  /** Filled by agents; tier entry requirements check them. */
  details: { stepsToReproduce?: string; actionPlan?: string; symptoms?: string; diagnosticData?: string };
  flags: string[];
  resolution?: { type: ResolutionType; text: string; at: string };
  /** The entitlement decision made when the ticket was opened. */
  entitlement: {
    status: 'entitled' | 'unverified' | 'not-entitled';
    reasons: string[];
    plan?: string;
    queue: 'priority' | 'standard' | 'triage';
    designatedUser: boolean;
    /** An add-on grants priority updates: fixes at a code-fix tier ship early (core/entitlement.ts). */
    priorityUpdates?: true;
  };
  sla: SlaState;
  createdAt: string;
  createdBy: Actor;
  updatedAt: string;
  /**
   * When the workflow took on the intake acknowledgement (core/notifications/acknowledgement.ts).
   * Absent until then; the workflow, not the HTTP handler, sends it, so intake never waits on SES.
   */
  intakeAcknowledgedAt?: string;
  /**
   * Mails owed for changes already written (an agent's reply, a resolution, a customer
   * escalation): recorded in the same write as the change, sent by the ticket's workflow
   * (core/notifications/outbox.ts), so a change is never kept without its mail, nor mailed twice.
   */
  outbox?: Notification[];
  /**
   * Which of the ticket's workflow executions is the current one (absent = 1). A new run starts
   * when an execution is replaced near Step Functions' limits or ended (closed, failed) while the
   * ticket still needs its clock; an execution of an older run ends itself.
   */
  workflowRun?: number;
  /**
   * Message-IDs of the customer's mails on the ticket, oldest first (the last few): the desk's
   * mails to the requester answer the newest (In-Reply-To) and list them (References), so the
   * customer's mail program keeps one thread.
   */
  mailThread?: string[];
  /** The mail a ticket opened by email came from: raw message, attachments, what could not be read. */
  intakeMail?: MailRecord;
  /** Opened during the customer's dedicated support period: its engineer takes it first (core/periods/routing.ts). */
  dedicated?: {
    orderId: string;
    period: number;
    engineerId: string;
    /** The order's point of contact: told of escalations and resolutions during the period. */
    contact?: string;
    /** What the engineer escalated during the period (a system issue, a configuration issue), oldest first; the newest LIMITS.periodEscalations. */
    escalations?: { issue: PeriodIssue; to: string; at: string }[];
    /** During the period, the queue of the team an issue was escalated to (instead of the engineer's). */
    queue?: string;
    /** The period ended: the ticket went to this team and its queue (core/periods/routing.ts handOverAfterPeriod). */
    handedOver?: { team: string; at: string };
  };
  /** How the ticket sorts in its queue when not by next due (a dedicated engineer's: severity, then age). */
  queueOrder?: string;
}

export const EVENT_TYPES = [
  'created',
  'customer-message',
  'agent-reply',
  'internal-note',
  'status-changed',
  'severity-changed',
  'case-reason-changed',
  'tier-changed',
  'assignee-changed',
  'details-recorded',
  'escalated',
  'resolved',
  'reopened',
  'closed',
  'notification-sent',
  /** The SLA clock: a share of a target has passed (internal). */
  'sla-warning',
  /** The SLA clock: a target passed unmet (internal); data names the objective, due and whom to notify. */
  'sla-breached',
  /** The case could not move up a tier because the tier's entry requirements are missing (internal). */
  'escalation-blocked',
  /** A management-chain step must answer: asked by the customer (public) or moved on by the clock (internal). */
  'customer-escalation',
  /** Staff answered the customer escalation; its timer stops. */
  'escalation-acknowledged',
  /** An automated mail (auto-reply, bounce, list mail) arrived for the case: recorded, never acted on (internal). */
  'automated-mail',
  /** Something happened on a phone call about the case: rang, answered, hung up, recording, transcription. */
  'phone-call',
  'period-escalated',
  /** A new ticket was routed to the dedicated engineer of the customer's running period (internal); the engineer is mailed. */
  'period-routed',
  /** The period ended with the ticket open: it moved to the queue the policy names (internal); its new owner is mailed. */
  'period-ended',
  /** SES reported a bounce of the desk's mail about the case (internal); data names the address, type and diagnostic. */
  'mail-bounced',
  /** A recipient marked the desk's mail about the case as spam (internal); the address is suppressed. */
  'mail-complaint',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface TimelineEvent {
  id: string;
  ticketId: string;
  at: string;
  type: EventType;
  actor: Actor;
  /** Public events are visible to the customer; internal notes and system records are not. */
  public: boolean;
  body?: string;
  data?: Record<string, unknown>;
}
