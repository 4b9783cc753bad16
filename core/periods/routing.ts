/**
 * While a dedicated support period runs, every new ticket of its customer — from any channel —
 * goes to the period's engineer first, at the top of their queue (most severe, then oldest:
 * core/tickets/rules.ts queueOf and finish), and the engineer is mailed. When the period ends,
 * its tickets are handed over to the queue the policy names and that team is mailed. Pure.
 */

import { queueNotifications } from '../notifications/outbox';
import { formatInstant } from '../notifications/render';
import type { Policy } from '../policy/schema';
import type { Actor, Ticket, TimelineEvent } from '../tickets/model';
import { applyAction, type Change, queueOf, type RuleContext } from '../tickets/rules';

/** Kept under ROUTING#<customer> from the period's start to its end. */
export interface DedicatedRouting {
  orderId: string;
  period: number;
  engineerId: string;
  /** Where the engineer is mailed of each ticket routed to them (absent in routings written before: the `assignee` role). */
  engineerEmail?: string;
  /** The order's point of contact, told of the period's escalations and resolutions. */
  contact?: string;
  /** The period's end: a routing found after it (its end step not yet run) no longer applies. */
  until: string;
}

const PERIOD_ACTOR: Actor = { kind: 'system', id: 'dedicated-period' };

export function routingApplies(routing: DedicatedRouting | undefined, now: number): routing is DedicatedRouting {
  return !!routing && Date.parse(routing.until) > now;
}

/**
 * The new ticket assigned to the dedicated engineer and queued for them, with the engineer's mail
 * in its outbox: intake writes the ticket once, and its workflow's first step sends the mail.
 */
export function routeToDedicatedEngineer(change: Change, routing: DedicatedRouting, ctx: RuleContext): Change {
  const dedicated = { orderId: routing.orderId, period: routing.period, engineerId: routing.engineerId, ...(routing.contact ? { contact: routing.contact } : {}) };
  const routed: Ticket = { ...change.ticket, dedicated };
  const queued: Ticket = { ...routed, queue: queueOf(routed, ctx.policy) };
  const assigned = applyAction(queued, { type: 'assign', assignee: routing.engineerId }, ctx, PERIOD_ACTOR);
  const flagged = { ...assigned.ticket, flags: [...new Set([...assigned.ticket.flags, 'dedicated-period'])] };
  const told = periodEvent(ctx, flagged, 'period-routed', {
    body: `Support order ${routing.orderId}, period ${routing.period}, until ${formatInstant(routing.until)}.${routing.contact ? ` Point of contact: ${routing.contact}.` : ''}`,
    data: { orderId: routing.orderId, period: routing.period, engineerId: routing.engineerId, notify: [routing.engineerEmail ?? 'assignee'] },
  });
  const routedEvents = [...assigned.events, told];
  const withMail = queueNotifications({ ticket: flagged, events: routedEvents });
  return { ticket: withMail.ticket, events: [...change.events, ...routedEvents] };
}

/**
 * Where the period's tickets go when it ends: `supportPeriods.afterPeriodQueue` (a team), or the
 * ticket's own tier team when the policy names none. A ticket escalated during the period stays
 * with the team it was escalated to.
 */
export function teamAfterPeriod(policy: Policy, ticket: Ticket): string {
  return ticket.dedicated?.queue ?? policy.supportPeriods?.afterPeriodQueue ?? ticket.team;
}

/**
 * The period has ended: its ticket leaves the engineer. An open one goes to the team (and that
 * team's queue, core/tickets/rules.ts queueOf), unassigned, with a 'period-ended' event that mails
 * the team; a resolved one is moved quietly (a reopening lands there, not with the engineer).
 * Undefined when there is nothing to do: not this period's, closed, or handed over already (a
 * retried end step).
 */
export function handOverAfterPeriod(ticket: Ticket, period: { orderId: string; period: number }, ctx: RuleContext): Change | undefined {
  const dedicated = ticket.dedicated;
  if (!dedicated || dedicated.orderId !== period.orderId || dedicated.period !== period.period || dedicated.handedOver || ticket.status === 'closed') return undefined;
  const team = teamAfterPeriod(ctx.policy, ticket);
  const at = new Date(ctx.now).toISOString();
  const moved: Ticket = { ...ticket, team, dedicated: { ...dedicated, handedOver: { team, at } }, updatedAt: at };
  moved.queue = queueOf(moved, ctx.policy);
  delete moved.queueOrder; // in the team's queue it sorts by next due, as the others there
  const open = ticket.status !== 'resolved';
  const events: TimelineEvent[] = [];
  let handed = moved;
  if (open && moved.assignee === dedicated.engineerId) {
    const unassigned = applyAction(moved, { type: 'assign', assignee: null }, ctx, PERIOD_ACTOR);
    handed = unassigned.ticket;
    events.push(...unassigned.events);
  }
  const body = open
    ? `The support period (order ${dedicated.orderId}, period ${dedicated.period}) ended with the case ${ticket.status}: handed over from ${dedicated.engineerId} to team ${team} (queue ${handed.queue}).`
    : `The support period (order ${dedicated.orderId}, period ${dedicated.period}) ended with the case resolved: a reopening goes to team ${team}, not to ${dedicated.engineerId}.`;
  events.push(periodEvent(ctx, handed, 'period-ended', { body, data: { orderId: dedicated.orderId, period: dedicated.period, team, queue: handed.queue, notify: open ? [`team:${team}`] : [] } }));
  return { ticket: handed, events };
}

function periodEvent(ctx: RuleContext, ticket: Ticket, type: TimelineEvent['type'], extra: { body: string; data: Record<string, unknown> }): TimelineEvent {
  return { id: ctx.newId(), ticketId: ticket.id, at: new Date(ctx.now).toISOString(), type, actor: PERIOD_ACTOR, public: false, ...extra };
}
