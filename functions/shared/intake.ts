/**
 * Opening a ticket, whatever the channel (the API, inbound email, webhooks): the entitlement
 * decision, a case number, core's openTicket, one write (with the caller's idempotency claim
 * completed in it, so a retried delivery can never make a second ticket, and the links later
 * deliveries find the ticket by). The ticket is written owing its workflow's start, which the
 * workflow starter makes from the table's stream once the caller has its answer
 * (functions/workflow/start.ts). Callers decide who the customer is and what the ticket says.
 */

import type { Customer } from '../../core/customer';
import { decideEntitlement } from '../../core/entitlement';
import { routeToDedicatedEngineer, routingApplies } from '../../core/periods/routing';
import { formatCaseNumber } from '../../core/tickets/case-number';
import type { Actor, Ticket } from '../../core/tickets/model';
import { type Change, type NewTicket, openTicket } from '../../core/tickets/rules';
import type { IdempotencyCompletion, StoredResponse } from '../store/dynamo-store';
import { routingFor } from './lookups';
import { countTicketOpened } from './metrics';
import type { Runtime } from './runtime';
import { ruleContext } from './ticket-updates';

/** What the ticket says (core's NewTicket, less what intake decides: id, case number, customer and its partner, entitlement), and who asks. */
export type NewTicketRequest = Omit<NewTicket, 'id' | 'caseNumber' | 'customerId' | 'partnerId' | 'entitlement'> & {
  customer: Customer | undefined;
  actor: Actor;
  /** The sender's mail failed SPF/DKIM/DMARC: never treated as a designated user. */
  authFailed?: boolean;
  now: number;
};

export interface IntakeOptions {
  /** A claimed key and the answer a redelivery gets, made from the new ticket. */
  idempotency?: Omit<IdempotencyCompletion, 'response'> & { response: (ticket: Ticket) => StoredResponse };
  /** Adjusts the opened ticket before it is written (e.g. an email ticket records its Message-ID). */
  adjust?: (change: Change) => Change;
  /** Keys later deliveries find the ticket by (TICKET_LINKS), written with it. */
  links?: string[];
}

export async function openNewTicket(rt: Runtime, request: NewTicketRequest, options: IntakeOptions = {}): Promise<Change> {
  const entitlement = decideEntitlement(rt.policy, request.customer, request.requester, request.now, request.authFailed ? { authFailed: true } : {});
  // The case number is the ticket's id: unique (hi/lo blocks), readable, and a direct key for
  // replies that quote it in an email subject.
  const caseNumber = formatCaseNumber(rt.policy.caseNumberPrefix, await rt.caseNumbers.take());
  const opened = openTicket(
    {
      id: caseNumber,
      caseNumber,
      ...(entitlement.customerId ? { customerId: entitlement.customerId } : {}),
      // The partner serving the customer works the case in partner tiers (core/access/authorize.ts).
      ...(entitlement.customerId && request.customer?.partner ? { partnerId: request.customer.partner } : {}),
      // Mail to the requester shows times in their zone: given, else their customer's (core/tickets/model.ts Requester).
      requester: request.requester.timeZone || !request.customer?.timeZone ? request.requester : { ...request.requester, timeZone: request.customer.timeZone },
      channel: request.channel,
      subject: request.subject,
      description: request.description,
      severity: request.severity,
      ...(request.caseReason ? { caseReason: request.caseReason } : {}),
      ...(request.product ? { product: request.product } : {}),
      ...(request.component ? { component: request.component } : {}),
      entitlement: {
        status: entitlement.status,
        reasons: entitlement.reasons,
        ...(entitlement.plan ? { plan: entitlement.plan } : {}),
        queue: entitlement.queue,
        designatedUser: entitlement.designatedUser,
        addOns: entitlement.addOns,
      },
    },
    ruleContext(rt, request.now),
    request.actor,
  );
  // During the customer's dedicated support period its engineer takes every new ticket first.
  const routing = request.customer ? await routingFor(rt, request.customer.id) : undefined;
  const routed = routingApplies(routing, request.now) ? routeToDedicatedEngineer(opened, routing, ruleContext(rt, request.now)) : opened;
  const change = options.adjust ? options.adjust(routed) : routed;
  const idempotency = options.idempotency && { ...options.idempotency, response: options.idempotency.response(change.ticket) };
  await rt.store.createTicket(change.ticket, change.events, idempotency, options.links);
  countTicketOpened(change.ticket.channel);
  return change;
}
