/** Ticket routes: intake, reading, messages and agent actions. Rules live in core/tickets. */
import { createHash } from 'node:crypto';
import type * as z from 'zod/mini';
import { type Caller, type Decision, decide, inboxListScope, type TicketAction, ticketListScope, ticketSubject, ticketView, visibleEvents } from '../../core/access/authorize';
import { type Customer, isCustomerId } from '../../core/customer';
import { LIMITS } from '../../core/limits';
import { queueNotifications } from '../../core/notifications/outbox';
import { findSeverity, TargetError } from '../../core/sla/targets';
import { CUSTOMER_VIEWS, INBOX_VIEWS, type InboxView, viewKey } from '../../core/tickets/inbox';
import type { Actor, Ticket, TimelineEvent } from '../../core/tickets/model';
import { addMessage, applyAction, type Change, type RuleContext, timelineOf } from '../../core/tickets/rules';
import { matchesSearch, parseSearch, scanToken } from '../../core/tickets/search';
import { wakeTicket } from '../shared/executions';
import { HttpError, type HttpResult, ifMatchVersion, json } from '../shared/http';
import { onceOverHttp } from '../shared/idempotency';
import { openNewTicket } from '../shared/intake';
import { customerById, customerIdForEmail } from '../shared/lookups';
import type { Runtime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { ensureTicketExecution } from '../shared/workflow';
import { type InboxScope, viewPartition } from '../store/dynamo-store';
import type { Principal } from './auth';
import { callerScope, openCursor, signCursor } from './cursors';
import { ActionSchema, CreateTicketSchema, ListTicketsQuery, MessageSchema } from './schemas';

export interface Request {
  principal: Principal;
  body: unknown;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** Path parameters beyond `{id}` (routes.ts Route.params), decoded, not yet checked. */
  params?: Record<string, string>;
  now: number;
}

export async function createTicket(rt: Runtime, request: Request): Promise<HttpResult> {
  const input = CreateTicketSchema.parse(request.body);
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey === undefined) return createOnce(rt, request, input);
  if (idempotencyKey.length > LIMITS.idempotencyKey || !/^[\x21-\x7e]+$/.test(idempotencyKey)) {
    throw new HttpError(400, `Idempotency-Key must be 1–${LIMITS.idempotencyKey} visible ASCII characters`, { field: 'Idempotency-Key' });
  }
  // The key's immutable id, never its display name: two keys named alike share nothing.
  const scope = `tickets:${request.principal.id}`;
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  return onceOverHttp(rt, { scope, key: idempotencyKey, requestHash }, (claim) => createOnce(rt, request, input, claim), {
    field: 'Idempotency-Key',
    mismatch: { status: 422, message: 'this Idempotency-Key was used with a different request body' },
    // Another delivery of the same request is still being served.
    busy: 'a request with this Idempotency-Key is still being processed; retry later',
  });
}

async function createOnce(rt: Runtime, request: Request, input: z.infer<typeof CreateTicketSchema>, idempotency?: { scope: string; key: string; requestHash: string }): Promise<HttpResult> {
  const customer = await customerFor(rt, request.principal, input);
  const answer = (ticket: Ticket) => ({ id: ticket.id, caseNumber: ticket.caseNumber, ticket: ticketView(request.principal, ticket) });
  const { ticket } = await openNewTicket(
    rt,
    {
      customer,
      requester: input.requester,
      channel: input.channel ?? (request.principal.role === 'customer' ? 'web' : 'api'),
      subject: input.subject,
      description: input.description,
      severity: input.severity,
      ...(input.caseReason ? { caseReason: input.caseReason } : {}),
      ...(input.product ? { product: input.product } : {}),
      ...(input.component ? { component: input.component } : {}),
      actor: actorOf(request.principal),
      now: request.now,
    },
    idempotency ? { idempotency: { ...idempotency, response: (created) => ({ statusCode: 201, body: answer(created) }) } } : {},
  );
  return json(201, answer(ticket), { location: `/tickets/${ticket.id}` });
}

/**
 * The customer a new ticket belongs to: a customer's own, the one named by staff or a partner
 * agent, or the requester's; then whether the caller may open a ticket for it (a partner agent
 * only for a customer its partner serves, a customer only for its own).
 */
async function customerFor(rt: Runtime, principal: Principal, input: z.infer<typeof CreateTicketSchema>): Promise<Customer | undefined> {
  if (principal.customerId) {
    // A customer's ticket is always its own customer's: decided before anything is looked up.
    allowOrThrow(decide(principal, 'ticket:create', input.customerId ? { customerId: input.customerId } : {}));
    return customerById(rt, principal.customerId);
  }
  let customer: Customer | undefined;
  if (input.customerId) {
    customer = isCustomerId(input.customerId) ? await customerById(rt, input.customerId) : undefined;
    // The same answer whether the customer exists or is not the caller's: nothing to probe.
    allowOrThrow(decide(principal, 'ticket:create', { customerId: input.customerId, ...(customer?.partner ? { partnerId: customer.partner } : {}) }));
    if (!customer) throw new HttpError(400, `unknown customer "${input.customerId}"`, { field: 'customerId' });
  } else {
    const customerId = await customerIdForEmail(rt, input.requester.email);
    customer = customerId ? await customerById(rt, customerId) : undefined;
  }
  if (customer) allowOrThrow(decide(principal, 'ticket:create', { customerId: customer.id, ...(customer.partner ? { partnerId: customer.partner } : {}) }));
  else allowOrThrow(decide(principal, 'ticket:create', {}));
  return customer;
}

export async function getTicket(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const ticket = await visibleTicket(rt, request.principal, id);
  const timeline = timelineOf(ticket, await rt.store.timeline(id));
  return json(200, { ...ticketView(request.principal, ticket), timeline: visibleEvents(request.principal, timeline) });
}

/**
 * Which partition a listing reads is decided in core (core/access/authorize.ts ticketListScope): a
 * customer its own customer's, whatever it asks for; a partner agent its partner's (GSI4), so a
 * page never holds, or skips over, anyone else's. The cursor is signed for the query and the
 * caller (functions/api/cursors.ts).
 */
export async function listTickets(rt: Runtime, request: Request): Promise<HttpResult> {
  const query = ListTicketsQuery.parse(request.query);
  const { principal } = request;
  if (query.q !== undefined) return searchTickets(rt, request, query);
  if (query.view !== undefined) return listView(rt, request, query);
  for (const field of ['team', 'tier'] as const) if (query[field] !== undefined) throw new HttpError(400, `${field} goes with view=${field}`, { field });
  if (query.severity !== undefined) throw new HttpError(400, 'severity goes with view= or q=', { field: 'severity' });
  const decided = ticketListScope(principal, { ...query, unverified: query.unverified === 'true' });
  if (!decided.allowed) allowOrThrow(decided);
  const { scope } = decided as Extract<typeof decided, { allowed: true }>;
  if (query.unverified && query.customer) throw new HttpError(400, 'ask for one customer or for unverified tickets, not both', { field: 'unverified' });
  const customer = scope.by === 'customer' ? scope.customerId : query.customer;
  // Checked before anything else is answered: no cursor is ever good for a list the caller cannot read.
  // `order` tells apart the desk's pending-customer listing (the waiting view's partition, next due first) from the others' cursors.
  const order = scope.by === 'status' && query.status === 'pending-customer' ? 'next-due' : undefined;
  const binding = {
    list: 'tickets',
    by: scope.by,
    customer,
    partner: scope.by === 'partner' ? scope.partnerId : undefined,
    queue: query.queue,
    status: query.status,
    order,
    scope: callerScope(principal),
  };
  const cursor = await openCursor(query.cursor, binding);
  if (scope.by === 'nothing') return json(200, { items: [], cursor: null }); // another customer's list looks empty, as if it did not exist
  const page = { limit: query.limit, ...(cursor ? { cursor } : {}) };
  const filter = { ...(query.status ? { status: query.status } : {}), ...(query.queue !== undefined ? { queue: query.queue } : {}) };
  const result =
    scope.by === 'customer'
      ? await rt.store.listByCustomer(scope.customerId, { ...page, ...filter })
      : scope.by === 'partner'
        ? await rt.store.listByPartner(scope.partnerId, { ...page, ...filter, ...(scope.customerId !== undefined ? { customerId: scope.customerId } : {}) })
        : scope.by === 'unverified'
          ? await rt.store.listUnverified({ ...page, ...filter })
          : scope.by === 'queue'
            ? await rt.store.listByQueue(scope.queue, { ...page, ...(query.status ? { status: query.status } : {}) })
            : await rt.store.listByStatus(query.status ?? 'active', page);
  // Each item once more, one by one: a partner's partition also holds cases it may not read (a vendor-tier case never handed over).
  const items = result.items.filter((ticket) => decide(principal, 'ticket:read', ticketSubject(ticket, rt.policy)).allowed);
  return json(200, { items: items.map((ticket) => ticketView(principal, ticket)), cursor: await signCursor(result.cursor, binding) });
}

type ListQuery = z.infer<typeof ListTicketsQuery>;

/** The parameters a view or a search cannot be combined with (each is its own index partition). */
function refuseWith(query: ListQuery, what: 'view' | 'q', fields: readonly (keyof ListQuery)[]): void {
  const extra = fields.find((field) => query[field] !== undefined);
  if (extra) throw new HttpError(400, `${what} cannot be combined with ${extra}`, { field: extra });
}

/** The caller's scope for views and search, or the refusal (core/access/authorize.ts inboxListScope). */
function inboxScopeOf(principal: Principal, view: string | undefined): InboxScope | undefined {
  const decided = inboxListScope(principal, view, CUSTOMER_VIEWS);
  if (!decided.allowed) allowOrThrow(decided);
  const { scope } = decided as Extract<typeof decided, { allowed: true }>;
  return scope.by === 'nothing' ? undefined : scope;
}

/** Whose cases "mine" is: a signed-in person's directory id, else the key's id (what "assign to me" writes). */
export function assigneeOf(principal: Principal): string {
  return principal.personId ?? principal.id;
}

/** The view key a request names (core/tickets/inbox.ts viewKey), its value checked. */
function requestedView(rt: Runtime, principal: Principal, query: ListQuery): string {
  const view = query.view as InboxView;
  if (query.team !== undefined && view !== 'team') throw new HttpError(400, 'team goes with view=team', { field: 'team' });
  if (query.tier !== undefined && view !== 'tier') throw new HttpError(400, 'tier goes with view=tier', { field: 'tier' });
  switch (view) {
    case 'mine':
      return viewKey('mine', assigneeOf(principal));
    case 'team': {
      const team = query.team ?? principal.teams?.[0];
      if (!team) throw new HttpError(400, 'view=team needs team (the caller belongs to no team)', { field: 'team' });
      return viewKey('team', team);
    }
    case 'tier':
      if (!query.tier || !rt.policy.tiers.some((tier) => tier.id === query.tier)) {
        throw new HttpError(400, `view=tier needs tier, one of ${rt.policy.tiers.map((tier) => tier.id).join(', ')}`, { field: 'tier' });
      }
      return viewKey('tier', query.tier);
    default:
      return viewKey(view);
  }
}

/**
 * One page of an inbox view, next due first: one query of the view's partition in the caller's
 * scope (the desk's, its partner's, its customer's), then the page's tickets by id. The cursor is
 * bound to the view (with its assignee, team or tier) and the scope.
 */
async function listView(rt: Runtime, request: Request, query: ListQuery): Promise<HttpResult> {
  const { principal } = request;
  refuseWith(query, 'view', ['customer', 'unverified', 'status', 'queue']);
  const scope = inboxScopeOf(principal, query.view);
  const view = requestedView(rt, principal, query);
  const severity = severityFilter(rt, query);
  const binding = { list: 'tickets-view', view, severity, ...scopeBinding(scope), scope: callerScope(principal) };
  const cursor = await openCursor(query.cursor, binding);
  if (!scope) return json(200, { items: [], cursor: null });
  const result = await rt.store.listView(scope, view, { limit: query.limit, ...(cursor ? { cursor } : {}), ...(severity ? { severity } : {}) });
  const items = result.items.filter((ticket) => decide(principal, 'ticket:read', ticketSubject(ticket, rt.policy)).allowed);
  return json(200, { items: items.map((ticket) => ticketView(principal, ticket)), cursor: await signCursor(result.cursor, binding) });
}

/** The severity a view or search is narrowed to, by id or name (as everywhere a severity is given), or a 400 naming `severity`. */
function severityFilter(rt: Runtime, query: ListQuery): string | undefined {
  if (query.severity === undefined) return undefined;
  try {
    return findSeverity(rt.policy, query.severity).id;
  } catch (error) {
    if (error instanceof TargetError) throw new HttpError(400, error.message, { field: 'severity' });
    throw error;
  }
}

function scopeBinding(scope: InboxScope | undefined): Record<string, string> {
  if (!scope) return { by: 'nothing' };
  return scope.by === 'desk' ? { by: 'desk' } : scope.by === 'customer' ? { by: 'customer', customer: scope.customerId } : { by: 'partner', partner: scope.partnerId };
}

/**
 * Full-text search (core/tickets/search.ts): the postings of one of the words in the caller's
 * scope, newest first, each ticket kept when it has every word and the caller may read it. Staff
 * may narrow it to one customer's postings with `customer`.
 */
async function searchTickets(rt: Runtime, request: Request, query: ListQuery): Promise<HttpResult> {
  const { principal } = request;
  refuseWith(query, 'q', ['view', 'team', 'tier', 'unverified', 'status', 'queue']);
  const parsed = parseSearch(query.q!);
  if ('error' in parsed) throw new HttpError(400, parsed.error, { field: 'q' });
  let scope = inboxScopeOf(principal, undefined);
  if (query.customer !== undefined && scope) {
    if (scope.by === 'desk') scope = isCustomerId(query.customer) ? { by: 'customer', customerId: query.customer } : undefined;
    else if (scope.by === 'customer' && scope.customerId !== query.customer) scope = undefined; // another customer's: as if empty
  }
  const severity = severityFilter(rt, query);
  const binding = { list: 'tickets-search', q: parsed.tokens.join(' '), customer: query.customer, severity, ...scopeBinding(scope), scope: callerScope(principal) };
  const cursor = await openCursor(query.cursor, binding);
  if (!scope) return json(200, { items: [], cursor: null });
  const readable = (ticket: Ticket) =>
    matchesSearch(ticket, parsed.tokens) && (!severity || ticket.severity === severity) && decide(principal, 'ticket:read', ticketSubject(ticket, rt.policy)).allowed;
  const result = await rt.store.searchTickets(scope, scanToken(parsed.tokens), readable, { limit: query.limit, ...(cursor ? { cursor } : {}) });
  return json(200, { items: result.items.map((ticket) => ticketView(principal, ticket)), cursor: await signCursor(result.cursor, binding) });
}

/**
 * How many open tickets each of the caller's views holds, from the counters every ticket write
 * keeps in the same transaction (docs/inbox.md): one consistent read, whatever the desk's size.
 */
export async function ticketViewCounts(rt: Runtime, request: Request): Promise<HttpResult> {
  const { principal } = request;
  const scope = inboxScopeOf(principal, undefined);
  const views: { view: InboxView; key: string; assignee?: string; team?: string; tier?: string }[] = [];
  const allowed = principal.role === 'customer' ? CUSTOMER_VIEWS : INBOX_VIEWS;
  for (const view of allowed) {
    if (view === 'mine') views.push({ view, key: viewKey(view, assigneeOf(principal)), assignee: assigneeOf(principal) });
    else if (view === 'team') for (const team of principal.teams ?? []) views.push({ view, key: viewKey(view, team), team });
    else if (view === 'tier') for (const { id } of rt.policy.tiers) views.push({ view, key: viewKey(view, id), tier: id });
    else views.push({ view, key: viewKey(view) });
  }
  const counts = scope ? await rt.store.countViews(views.map(({ key }) => viewPartition(scope, key))) : new Map<string, number>();
  return json(200, { views: views.map(({ key, ...view }) => ({ ...view, count: scope ? Math.max(0, counts.get(viewPartition(scope, key)) ?? 0) : 0 })) });
}

/** A message's kind: a customer always posts "customer" messages; staff reply unless they say otherwise. */
export async function postMessage(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const input = MessageSchema.parse(request.body);
  const kind = input.kind ?? (request.principal.customerId ? 'customer' : 'agent-reply');
  const change = await updateTicket(rt, request, id, kind === 'customer' ? 'ticket:customer-message' : `ticket:${kind}`, (ticket, ctx) =>
    addMessage(ticket, kind, input.body, ctx, actorOf(request.principal)),
  );
  return json(201, { ticket: ticketView(request.principal, change.ticket), events: visibleEvents(request.principal, change.events) });
}

export async function postAction(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const action = ActionSchema.parse(request.body);
  const change = await updateTicket(rt, request, id, `ticket:${action.type}`, (ticket, ctx) => applyAction(ticket, action, ctx, actorOf(request.principal)));
  return json(200, { ticket: ticketView(request.principal, change.ticket), events: visibleEvents(request.principal, change.events) });
}

/**
 * Read, apply a rule, write conditionally on the version read; on a concurrent change, again
 * (functions/shared/ticket-updates.ts). With `If-Match: <version>` the caller asks for its
 * version only, and gets 409 instead. The mails the change calls for go into the ticket's
 * outbox in the same write (core/notifications/outbox.ts). Then the ticket's workflow is woken to
 * re-plan and send them: a reply may have met the deadline it waits for, a raised severity may
 * have brought it forward. A closed ticket's workflow has ended, so reopening one starts its next run.
 */
async function updateTicket(rt: Runtime, request: Request, id: string, action: TicketAction, apply: (ticket: Ticket, ctx: RuleContext) => Change): Promise<Change> {
  const ifMatch = ifMatchVersion(request.headers);
  const { change } = await updateTicketWithRetry(rt, (ticket, ctx) => queueNotifications(apply(ticket, ctx)), {
    noRetry: ifMatch !== undefined,
    read: async () => {
      // Decided on every read: a retry after a concurrent change (an escalation, a hand-over) decides again.
      const ticket = await visibleTicket(rt, request.principal, id, action);
      if (ifMatch !== undefined && ticket.version !== ifMatch) {
        throw new HttpError(409, `the ticket is at version ${ticket.version}, not ${ifMatch}`, { field: 'If-Match', version: ticket.version });
      }
      return ticket;
    },
  });
  if (change.events.some((event) => event.type === 'status-changed' && event.data?.from === 'closed')) await ensureTicketExecution(change.ticket);
  await wakeTicket(id);
  return change;
}

/**
 * A ticket the principal may see, and may do `action` to (core/access/authorize.ts). A ticket it
 * may not see is "not found", so ids cannot be probed; one it sees but may not act on is a 403.
 */
export async function visibleTicket(rt: Runtime, principal: Caller, id: string, action: TicketAction = 'ticket:read'): Promise<Ticket> {
  const ticket = await rt.store.getTicket(id);
  if (!ticket) throw new HttpError(404, `no ticket ${id}`);
  const subject = ticketSubject(ticket, rt.policy);
  const seen = decide(principal, 'ticket:read', subject);
  if (!seen.allowed) throw new HttpError(404, `no ticket ${id}`);
  if (action !== 'ticket:read') allowOrThrow(decide(principal, action, subject));
  return ticket;
}

/** The events of a ticket's timeline the principal may see, for attachments: customers only public ones. */
export function mayReadEvent(rt: Runtime, principal: Caller, ticket: Ticket, event: TimelineEvent): boolean {
  return decide(principal, event.public ? 'ticket:attachment-public' : 'ticket:attachment-internal', ticketSubject(ticket, rt.policy)).allowed;
}

/** A refusal as the HTTP error it answers with (403 or 404, naming the field when there is one). */
export function allowOrThrow(decision: Decision): void {
  if (!decision.allowed) throw new HttpError(decision.status, decision.reason, decision.field ? { field: decision.field } : {});
}

function actorOf(principal: Principal): Actor {
  return { kind: principal.role === 'customer' ? 'customer' : 'agent', id: principal.name };
}
