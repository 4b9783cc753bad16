/**
 * What the console reads of the API's answers. The generated schema (./schema.d.ts) names the
 * requests; where it does not yet describe a response body these shapes do (they follow
 * core/tickets/model.ts and the handlers), and are to be replaced by `components['schemas']`
 * as the OpenAPI document gains them.
 */
export type Status = 'new' | 'open' | 'pending-customer' | 'resolved' | 'closed';

export interface Objective {
  within?: string;
  calendar?: string;
  startedAt: string;
  due: string | null;
  metAt?: string;
  breachedAt?: string;
  warnedAt?: string;
  stoppedAt?: string;
}

export interface Ticket {
  id: string;
  caseNumber: string;
  version: number;
  customerId?: string;
  partnerId?: string;
  requester: { email?: string; name?: string; phone?: string; company?: string; timeZone?: string };
  channel: string;
  subject: string;
  description: string;
  severity: string;
  caseReason?: string;
  product?: string;
  component?: string;
  tier: string;
  team: string;
  queue?: string;
  status: Status;
  assignee?: string;
  details?: { stepsToReproduce?: string; actionPlan?: string; symptoms?: string; diagnosticData?: string };
  flags?: string[];
  resolution?: { type: string; text: string; at: string };
  entitlement?: { status: 'entitled' | 'unverified' | 'not-entitled'; reasons: string[]; plan?: string; queue: string; designatedUser: boolean };
  sla: {
    plan: string;
    addOns: string[];
    firstResponse?: Objective;
    nextResponse?: Objective;
    resolution?: Objective & { tier: string };
    statusUpdate?: Objective;
    pauses: { from: string; to?: string }[];
    nextDue?: string;
    management?: { stepId: string; reason: string; due: string; acknowledgedAt?: string; breachedAt?: string; stoppedAt?: string };
  };
  createdAt: string;
  updatedAt: string;
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  size: number;
  key?: string;
  skipped?: string;
}

export interface TimelineEvent {
  id: string;
  at: string;
  type: string;
  actor: { kind: 'agent' | 'customer' | 'system'; id: string };
  public: boolean;
  body?: string;
  data?: Record<string, unknown> & { mail?: { from?: string; attachments?: MailAttachment[] }; recordingUrl?: string };
}

export type TicketWithTimeline = Ticket & { timeline: TimelineEvent[] };

export interface TicketPage {
  items: Ticket[];
  cursor: string | null;
}

export interface Customer {
  id: string;
  name: string;
  plan: string;
  addOns?: string[];
  designatedUsers?: string[];
  timeZone?: string;
  accountTeam?: { tam?: string; csm?: string };
}

export interface Severity {
  id: string;
  name: string;
  definition?: string;
}

export interface Directory {
  people: { id: string; name: string; email: string; timeZone: string; partner?: string }[];
  teams: { id: string; name: string; lead?: string; members: string[] }[];
}
