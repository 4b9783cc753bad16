/**
 * A support ticket (case) and its timeline, as plain JSON-serialisable data. Instants are
 * ISO 8601 strings in UTC so they read well in the table, the API and the logs.
 */

export const CHANNELS = ['web', 'api', 'email', 'phone', 'chat', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export const STATUSES = ['new', 'open', 'pending-customer', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const RESOLUTION_TYPES = ['fix', 'workaround', 'other'] as const;
export type ResolutionType = (typeof RESOLUTION_TYPES)[number];

export interface Requester {
  email?: string;
  name?: string;
  phone?: string;
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
  /** Spans waiting on the customer; the last one has no `to` while the ticket is paused. */
  pauses: { from: string; to?: string }[];
  /** The earliest due instant of the objectives still running; orders the queue. */
  nextDue?: string;
}

export interface Ticket {
  id: string;
  caseNumber: string;
  version: number;
  customerId?: string;
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
  /** The queue the ticket waits in: the tier's team, "<team>:priority", or "triage". */
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
  };
  sla: SlaState;
  createdAt: string;
  createdBy: Actor;
  updatedAt: string;
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
