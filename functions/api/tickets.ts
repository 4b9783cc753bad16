/** Ticket routes: intake, reading, messages and agent actions. Rules live in core/tickets. */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { isCustomerId, type Customer } from '../../core/customer';
import { LIMITS } from '../../core/limits';
import { queueNotifications } from '../../core/notifications/outbox';
import { addMessage, applyAction, timelineOf, type Change, type RuleContext } from '../../core/tickets/rules';
import type { Actor, Ticket } from '../../core/tickets/model';
import type { Runtime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { onceOverHttp } from '../shared/idempotency';
import { openNewTicket } from '../shared/intake';
import { ensureTicketExecution, wakeTicket } from '../shared/workflow';
import type { Principal } from './auth';
import { callerScope, openCursor, signCursor } from './cursors';
import { HttpError, ifMatchVersion, json, type HttpResult } from '../shared/http';
import { customerById, customerIdForEmail } from '../shared/lookups';
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

async function createOnce(
  rt: Runtime,
  request: Request,
  input: z.infer<typeof CreateTicketSchema>,
  idempotency?: { scope: string; key: string; requestHash: string },
): Promise<HttpResult> {
  const customer = await customerFor(rt, request.principal, input);
  const answer = (ticket: Ticket) => ({ id: ticket.id, caseNumber: ticket.caseNumber, ticket: view(ticket, request.principal) });
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

/** The customer a new ticket belongs to: the key's own, the one named by staff, or the requester's. */
async function customerFor(rt: Runtime, principal: Principal, input: z.infer<typeof CreateTicketSchema>): Promise<Customer | undefined> {
  if (principal.role === 'customer') {
    if (input.customerId && input.customerId !== principal.customerId) {
      throw new HttpError(403, 'a customer key can only file tickets for its own customer', { field: 'customerId' });
    }
    return customerById(rt, principal.customerId!);
  }
  if (input.customerId) {
    const customer = isCustomerId(input.customerId) ? await customerById(rt, input.customerId) : undefined;
    if (!customer) throw new HttpError(400, `unknown customer "${input.customerId}"`, { field: 'customerId' });
    return customer;
  }
  const customerId = await customerIdForEmail(rt, input.requester.email);
  return customerId ? customerById(rt, customerId) : undefined;
}

export async function getTicket(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const ticket = await visibleTicket(rt, request.principal, id);
  const timeline = timelineOf(ticket, await rt.store.timeline(id));
  return json(200, {
    ...view(ticket, request.principal),
    timeline: request.principal.role === 'customer' ? timeline.filter((event) => event.public) : timeline,
  });
}

/**
 * A customer key lists only its own customer's tickets, whatever it asks for (a queue is read
 * inside its customer's partition, so a page never holds, or skips over, anyone else's). The
 * cursor is signed for the query and the caller (functions/api/cursors.ts).
 */
export async function listTickets(rt: Runtime, request: Request): Promise<HttpResult> {
  const query = ListTicketsQuery.parse(request.query);
  const { principal } = request;
  const own = principal.role === 'customer' ? principal.customerId! : undefined;
  if (own && query.unverified) throw new HttpError(403, 'unverified tickets are for agent and admin keys', { field: 'unverified' });
  if (query.unverified && query.customer) throw new HttpError(400, 'ask for one customer or for unverified tickets, not both', { field: 'unverified' });
  const customer = own ?? query.customer;
  const by = customer ? 'customer' : query.unverified ? 'unverified' : query.queue ? 'queue' : 'status';
  // Checked before anything else is answered: no cursor is ever good for a list the caller cannot read.
  const binding = { list: 'tickets', by, customer: query.customer ?? customer, queue: query.queue, status: query.status, scope: callerScope(principal) };
  const cursor = await openCursor(query.cursor, binding);
  if (own && query.customer && query.customer !== own) {
    return json(200, { items: [], cursor: null }); // another customer's list looks empty, as if it did not exist
  }
  const page = { limit: query.limit, ...(cursor ? { cursor } : {}) };
  const filter = { ...(query.status ? { status: query.status } : {}), ...(query.queue !== undefined ? { queue: query.queue } : {}) };
  const result =
    by === 'customer'
      ? await rt.store.listByCustomer(customer!, { ...page, ...filter })
      : by === 'unverified'
        ? await rt.store.listUnverified({ ...page, ...filter })
        : by === 'queue'
          ? await rt.store.listByQueue(query.queue!, { ...page, ...(query.status ? { status: query.status } : {}) })
          : await rt.store.listByStatus(query.status ?? 'active', page);
  return json(200, { items: result.items.map((ticket) => view(ticket, principal)), cursor: await signCursor(result.cursor, binding) });
}

export async function postMessage(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const input = MessageSchema.parse(request.body);
  const kind = request.principal.role === 'customer' ? 'customer' : (input.kind ?? 'agent-reply');
  if (request.principal.role === 'customer' && input.kind && input.kind !== 'customer') {
    throw new HttpError(403, 'a customer key can only post customer messages', { field: 'kind' });
  }
  const change = await updateTicket(rt, request, id, (ticket, ctx) => addMessage(ticket, kind, input.body, ctx, actorOf(request.principal)));
  return json(201, { ticket: view(change.ticket, request.principal), events: change.events });
}

const CUSTOMER_ACTIONS = new Set(['reopen', 'close', 'customer-escalate']);

export async function postAction(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const action = ActionSchema.parse(request.body);
  if (request.principal.role === 'customer' && !CUSTOMER_ACTIONS.has(action.type)) {
    throw new HttpError(403, `a customer key can only ${[...CUSTOMER_ACTIONS].join(' or ')} a ticket`, { field: 'type' });
  }
  const change = await updateTicket(rt, request, id, (ticket, ctx) => applyAction(ticket, action, ctx, actorOf(request.principal)));
  return json(200, { ticket: view(change.ticket, request.principal), events: change.events });
}

/**
 * Read, apply a rule, write conditionally on the version read; on a concurrent change, again
 * (functions/shared/ticket-updates.ts). With `If-Match: <version>` the caller asks for its
 * version only, and gets 409 instead. The mails the change calls for go into the ticket's
 * outbox in the same write (core/notifications/outbox.ts). Then the ticket's workflow is woken to
 * re-plan and send them: a reply may have met the deadline it waits for, a raised severity may
 * have brought it forward. A closed ticket's workflow has ended, so reopening one starts its next run.
 */
async function updateTicket(rt: Runtime, request: Request, id: string, apply: (ticket: Ticket, ctx: RuleContext) => Change): Promise<Change> {
  const ifMatch = ifMatchVersion(request.headers);
  const { change } = await updateTicketWithRetry(rt, (ticket, ctx) => queueNotifications(apply(ticket, ctx)), {
    noRetry: ifMatch !== undefined,
    read: async () => {
      const ticket = await visibleTicket(rt, request.principal, id);
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

/** A ticket the principal may see; anything else is "not found", so ids cannot be probed. */
export async function visibleTicket(rt: Runtime, principal: Principal, id: string): Promise<Ticket> {
  const ticket = await rt.store.getTicket(id);
  if (!ticket || (principal.role === 'customer' && ticket.customerId !== principal.customerId)) {
    throw new HttpError(404, `no ticket ${id}`);
  }
  return ticket;
}

/** What a principal sees of a ticket: customers do not see internal routing details. */
function view(ticket: Ticket, principal: Principal) {
  if (principal.role !== 'customer') return ticket;
  const { entitlement: _entitlement, details: _details, flags: _flags, queue: _queue, outbox: _outbox, workflowRun: _workflowRun, ...visible } = ticket;
  return visible;
}

function actorOf(principal: Principal): Actor {
  return { kind: principal.role === 'customer' ? 'customer' : 'agent', id: principal.name };
}
