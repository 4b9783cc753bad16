/**
 * Who may see and do what: one pure function for every handler (docs/authorization.md holds the
 * table; test/authorization.test.ts checks this code against that table, every row).
 *
 * - admin: everything.
 * - agent API key (a machine client of the vendor): everything but the admin's actions (API keys,
 *   staff directory and engineer writes), on every ticket whoever operates its tier.
 * - agent (a signed-in member of the vendor's staff): reads every ticket — the vendor sees every
 *   partner's work — and works those the vendor operates; a ticket of a partner's customer in a
 *   tier the policy gives to partners is the partner's to work: the vendor may add internal notes.
 * - partner agent: only tickets of the customers its partner serves (the ticket's `partnerId`,
 *   copied from the customer at intake); works them while they are in a partner-operated tier;
 *   once handed over to a vendor tier, reads them and adds internal notes (403 on the rest);
 *   anything else does not exist for it (404).
 * - customer (key or user): its own customer's tickets only, their public timeline, customer
 *   messages and the customer's actions (reopen, close, customer-escalate).
 *
 * Team and assignee are part of the subject but do not change access (CHOSEN): views filter by
 * team; access does not, so a case is never invisible to the staff who may have to take it.
 */
import type { Principal, Role } from './principal';

/** What a decision reads of the caller: a Principal, or an API key record that has these fields. */
export type Caller = Pick<Principal, 'role'> & Partial<Pick<Principal, 'via' | 'customerId' | 'partnerId' | 'personId' | 'teams'>>;

export type Decision = { allowed: true } | { allowed: false; status: 403 | 404; reason: string; field?: string };

const ALLOWED: Decision = { allowed: true };

/** The action types of POST /tickets/{id}/actions (core/tickets/rules.ts Action). */
export const TICKET_ACTION_TYPES = [
  'assign',
  'set-severity',
  'set-case-reason',
  'record-details',
  'escalate',
  'pause',
  'resume',
  'resolve',
  'reopen',
  'close',
  'customer-escalate',
  'acknowledge-escalation',
  'escalate-period-issue',
] as const;
export type TicketActionType = (typeof TICKET_ACTION_TYPES)[number];

/** What a customer may do to its own ticket, besides reading it and writing to it. */
export const CUSTOMER_ACTION_TYPES: readonly TicketActionType[] = ['reopen', 'close', 'customer-escalate'];

/** What can be done to one ticket. Messages by kind; attachments by whether their event is public. */
export const TICKET_ACTIONS = [
  'ticket:read',
  'ticket:customer-message',
  'ticket:agent-reply',
  'ticket:internal-note',
  'ticket:attachment-public',
  'ticket:attachment-internal',
  ...TICKET_ACTION_TYPES.map((type) => `ticket:${type}` as const),
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** What is done for one customer (or for none, when no customer is named). */
export const CUSTOMER_ACTIONS = ['ticket:create', 'customer:read', 'customer:write', 'order:create', 'order:read', 'order:accept', 'order:change', 'order:cancel', 'policy:customer-targets'] as const;
export type CustomerAction = (typeof CUSTOMER_ACTIONS)[number];

/** What concerns the desk as a whole. */
export const DESK_ACTIONS = ['ticket:list', 'ticket:list-unverified', 'order:list', 'agent:read', 'agent:write', 'staff:read', 'staff:write', 'policy:read', 'policy:desk', 'api-key:manage'] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

export type Action = TicketAction | CustomerAction | DeskAction;

export type OperatedBy = 'vendor' | 'partner';

/** What deciding about a ticket needs; all of it is on the ticket (ticketSubject), no further read. */
export interface TicketSubject {
  customerId?: string;
  partnerId?: string;
  tier: string;
  /** Who the policy says operates the ticket's current tier. */
  operatedBy: OperatedBy;
  team?: string;
  assignee?: string;
  /** The case went from a partner tier to a vendor tier (core/tickets/rules.ts records it). */
  handedOver: boolean;
}

/** The customer an action is for; `customerId` absent when none is named (e.g. an unverified requester's ticket). */
export interface CustomerSubject {
  customerId?: string;
  /** The partner the customer record names. */
  partnerId?: string;
}

/** The subject of a ticket decision, from the ticket and the policy's tiers. */
export function ticketSubject(
  ticket: { customerId?: string; partnerId?: string; tier: string; team?: string; assignee?: string; partnerHandover?: unknown },
  policy: { tiers: readonly { id: string; operatedBy?: OperatedBy }[] },
): TicketSubject {
  const tier = policy.tiers.find((candidate) => candidate.id === ticket.tier);
  return {
    ...(ticket.customerId ? { customerId: ticket.customerId } : {}),
    ...(ticket.partnerId ? { partnerId: ticket.partnerId } : {}),
    tier: ticket.tier,
    // A tier the policy no longer has: the vendor's, so nobody outside it gains access by a policy change.
    operatedBy: tier?.operatedBy ?? 'vendor',
    ...(ticket.team ? { team: ticket.team } : {}),
    ...(ticket.assignee ? { assignee: ticket.assignee } : {}),
    handedOver: ticket.partnerHandover !== undefined,
  };
}

/** Who works a ticket: the partner of a partner's customer while it is in a partner-operated tier, else the vendor. */
export function workedBy(subject: Pick<TicketSubject, 'partnerId' | 'operatedBy'>): OperatedBy {
  return subject.partnerId && subject.operatedBy === 'partner' ? 'partner' : 'vendor';
}

/**
 * How far a caller reaches into a ticket: works it (every staff action), reads it and adds
 * internal notes, is its customer, or nothing (it does not exist for them).
 */
export type TicketAccess = 'work' | 'read-and-note' | 'customer' | 'none';

export function ticketAccess(caller: Caller, subject: TicketSubject): TicketAccess {
  switch (caller.role) {
    case 'admin':
      return 'work';
    case 'agent':
      // An agent key is a machine client of the vendor: vendor-wide, as before sign-in existed.
      if (caller.via !== 'sign-in') return 'work';
      return workedBy(subject) === 'vendor' ? 'work' : 'read-and-note';
    case 'partner-agent':
      if (!caller.partnerId || subject.partnerId !== caller.partnerId) return 'none';
      if (subject.operatedBy === 'partner') return 'work';
      return subject.handedOver ? 'read-and-note' : 'none';
    case 'customer':
      return caller.customerId !== undefined && subject.customerId === caller.customerId ? 'customer' : 'none';
  }
}

export function decide(caller: Caller, action: TicketAction, subject: TicketSubject): Decision;
export function decide(caller: Caller, action: CustomerAction, subject: CustomerSubject): Decision;
export function decide(caller: Caller, action: DeskAction): Decision;
export function decide(caller: Caller, action: Action, subject?: TicketSubject | CustomerSubject): Decision {
  if (isTicketAction(action)) return decideTicket(caller, action, subject as TicketSubject);
  if (isCustomerAction(action)) return decideForCustomer(caller, action, (subject ?? {}) as CustomerSubject);
  return decideForDesk(caller, action);
}

export function isTicketAction(action: string): action is TicketAction {
  return (TICKET_ACTIONS as readonly string[]).includes(action);
}

function isCustomerAction(action: string): action is CustomerAction {
  return (CUSTOMER_ACTIONS as readonly string[]).includes(action);
}

const refuse = (status: 403 | 404, reason: string, field?: string): Decision => ({ allowed: false, status, reason, ...(field ? { field } : {}) });

function decideTicket(caller: Caller, action: TicketAction, subject: TicketSubject): Decision {
  const access = ticketAccess(caller, subject);
  // Not "forbidden": for this caller the ticket does not exist, so ids cannot be probed.
  if (access === 'none') return refuse(404, 'no such ticket');
  if (access === 'work') return ALLOWED;
  if (access === 'read-and-note') {
    if (action === 'ticket:read' || action === 'ticket:internal-note' || action === 'ticket:attachment-public' || action === 'ticket:attachment-internal') return ALLOWED;
    const reason =
      caller.role === 'partner-agent'
        ? `the case was handed over to the vendor at tier ${subject.tier}: partner ${caller.partnerId} may read it and add internal notes only`
        : `tier ${subject.tier} is operated by partner ${subject.partnerId}, who works this case: the vendor may read it and add internal notes only`;
    return refuse(403, reason, fieldOf(action));
  }
  // The ticket's customer.
  switch (action) {
    case 'ticket:read':
    case 'ticket:customer-message':
    case 'ticket:attachment-public':
      return ALLOWED;
    case 'ticket:attachment-internal':
      // An internal record's attachment does not exist for a customer.
      return refuse(404, 'no such attachment');
    case 'ticket:agent-reply':
    case 'ticket:internal-note':
      return refuse(403, 'a customer can only post customer messages', 'kind');
    default: {
      const type = action.slice('ticket:'.length) as TicketActionType;
      if (CUSTOMER_ACTION_TYPES.includes(type)) return ALLOWED;
      return refuse(403, `a customer can only ${CUSTOMER_ACTION_TYPES.join(' or ')} a ticket`, 'type');
    }
  }
}

/** The request field a refused ticket action is about: a message's kind, an action's type. */
function fieldOf(action: TicketAction): string {
  return action === 'ticket:customer-message' || action === 'ticket:agent-reply' || action === 'ticket:internal-note' ? 'kind' : 'type';
}

const isVendorStaff = (role: Role): boolean => role === 'admin' || role === 'agent';

function decideForCustomer(caller: Caller, action: CustomerAction, subject: CustomerSubject): Decision {
  if (isVendorStaff(caller.role)) return ALLOWED;
  const own = caller.role === 'customer' && subject.customerId === caller.customerId;
  const served = caller.role === 'partner-agent' && !!caller.partnerId && !!subject.customerId && subject.partnerId === caller.partnerId;
  const partner = caller.role === 'partner-agent';
  switch (action) {
    case 'ticket:create':
      if (partner) return served ? ALLOWED : refuse(403, `a partner agent opens tickets only for a customer partner ${caller.partnerId} serves: name it in customerId`, 'customerId');
      // A customer's ticket is its own customer's, named or not.
      return own || subject.customerId === undefined ? ALLOWED : refuse(403, 'a customer can only file tickets for its own customer', 'customerId');
    case 'customer:read':
      return own || served ? ALLOWED : refuse(404, 'no such customer');
    case 'customer:write':
      return refuse(403, 'writing a customer needs an agent or admin');
    case 'policy:customer-targets':
      if (subject.customerId === undefined || own || served) return ALLOWED;
      return refuse(403, partner ? `a partner agent sees the targets of partner ${caller.partnerId}'s customers only` : 'a customer sees its own targets only', 'customer');
    case 'order:create':
      if (partner) return refuse(403, 'support orders are placed with the vendor: a partner agent cannot place one');
      return own || subject.customerId === undefined ? ALLOWED : refuse(403, 'a customer can only order for its own customer', 'customerId');
    case 'order:read':
    case 'order:change':
    case 'order:cancel':
      if (partner) return refuse(403, "support orders are the vendor's: a partner agent cannot read or change them");
      return own ? ALLOWED : refuse(404, 'no such support order');
    case 'order:accept':
      if (partner) return refuse(403, "support orders are the vendor's: a partner agent cannot accept one");
      return own ? refuse(403, 'accepting an order (booking an engineer) needs an agent or admin') : refuse(404, 'no such support order');
  }
}

function decideForDesk(caller: Caller, action: DeskAction): Decision {
  const { role } = caller;
  switch (action) {
    case 'ticket:list':
    case 'policy:read':
      return ALLOWED;
    case 'ticket:list-unverified':
      return isVendorStaff(role) ? ALLOWED : refuse(403, "unverified tickets are for the vendor's agents and admins", 'unverified');
    case 'order:list':
      return role === 'partner-agent' ? refuse(403, "support orders are the vendor's: a partner agent cannot list them") : ALLOWED;
    case 'agent:read':
    case 'staff:read':
      return isVendorStaff(role) ? ALLOWED : refuse(403, 'this needs an agent or admin key');
    case 'policy:desk':
      return role === 'customer' ? refuse(403, "the desk's tiers and hours are for support staff") : ALLOWED;
    case 'agent:write':
    case 'staff:write':
    case 'api-key:manage':
      return role === 'admin' ? ALLOWED : refuse(403, 'this needs an admin');
  }
}

// ---- what a caller sees ----------------------------------------------------------------------

/** Fields of a ticket that are the desk's routing and working state, not the customer's to see. */
const INTERNAL_TICKET_FIELDS = ['entitlement', 'details', 'flags', 'queue', 'outbox', 'workflowRun', 'partnerId', 'partnerHandover'] as const;

/** What a caller sees of a ticket it may read: customers do not see internal routing details. */
export function ticketView<T extends object>(caller: Caller, ticket: T): Partial<T> {
  if (caller.role !== 'customer') return ticket;
  const visible: Record<string, unknown> = { ...(ticket as Record<string, unknown>) };
  for (const field of INTERNAL_TICKET_FIELDS) delete visible[field];
  return visible as Partial<T>;
}

/** The timeline events a caller sees of a ticket it may read: customers the public ones only. */
export function visibleEvents<E extends { public: boolean }>(caller: Caller, events: readonly E[]): E[] {
  return caller.role === 'customer' ? events.filter((event) => event.public) : [...events];
}

// ---- which listing a caller reads ----------------------------------------------------------------

export interface TicketListQuery {
  customer?: string;
  unverified?: boolean;
  queue?: string;
  status?: string;
}

/**
 * The index partition a ticket listing reads, so that a page never holds, or skips over, a ticket
 * the caller may not see:
 * - a customer: its own customer's partition, whatever it asks for (another customer's list is empty);
 * - a partner agent: its partner's partition (tickets of the customers it serves), narrowed to one
 *   customer or queue when asked; items the partner may not read (a vendor-tier case never
 *   handed over) are still dropped by the caller, ticket by ticket;
 * - vendor staff: a customer's, the unverified, a queue's or a status's, as asked.
 */
export type TicketListScope =
  | { by: 'customer'; customerId: string }
  | { by: 'partner'; partnerId: string; customerId?: string }
  | { by: 'unverified' }
  | { by: 'queue'; queue: string }
  | { by: 'status' }
  | { by: 'nothing' };

/**
 * Whose inbox views (and search postings) a caller reads (core/tickets/inbox.ts, docs/inbox.md):
 * vendor staff the desk's; a partner agent its partner's (only the cases it may read are in
 * them); a customer its own customer's, and only the views made of what a customer sees.
 */
export type InboxListScope = { by: 'desk' } | { by: 'customer'; customerId: string } | { by: 'partner'; partnerId: string } | { by: 'nothing' };

export function inboxListScope(caller: Caller, view: string | undefined, customerViews: readonly string[]): { allowed: true; scope: InboxListScope } | Extract<Decision, { allowed: false }> {
  switch (caller.role) {
    case 'customer':
      if (view !== undefined && !customerViews.includes(view))
        return refuse(403, `a customer lists the views ${customerViews.join(', ')} of its own tickets`, 'view') as Extract<Decision, { allowed: false }>;
      return { allowed: true, scope: caller.customerId ? { by: 'customer', customerId: caller.customerId } : { by: 'nothing' } };
    case 'partner-agent':
      return { allowed: true, scope: caller.partnerId ? { by: 'partner', partnerId: caller.partnerId } : { by: 'nothing' } };
    default:
      return { allowed: true, scope: { by: 'desk' } };
  }
}

export function ticketListScope(caller: Caller, query: TicketListQuery): { allowed: true; scope: TicketListScope } | Extract<Decision, { allowed: false }> {
  if (query.unverified) {
    const decision = decide(caller, 'ticket:list-unverified');
    if (!decision.allowed) return decision;
  }
  switch (caller.role) {
    case 'customer': {
      const own = caller.customerId;
      if (!own || (query.customer !== undefined && query.customer !== own)) return { allowed: true, scope: { by: 'nothing' } };
      return { allowed: true, scope: { by: 'customer', customerId: own } };
    }
    case 'partner-agent':
      if (!caller.partnerId) return { allowed: true, scope: { by: 'nothing' } };
      return { allowed: true, scope: { by: 'partner', partnerId: caller.partnerId, ...(query.customer !== undefined ? { customerId: query.customer } : {}) } };
    default:
      if (query.customer !== undefined) return { allowed: true, scope: { by: 'customer', customerId: query.customer } };
      if (query.unverified) return { allowed: true, scope: { by: 'unverified' } };
      if (query.queue !== undefined) return { allowed: true, scope: { by: 'queue', queue: query.queue } };
      return { allowed: true, scope: { by: 'status' } };
  }
}
