/**
 * While a dedicated support period runs, every new ticket of its customer — from any channel —
 * goes to the period's engineer first, at the top of their queue (most severe, then oldest:
 * core/tickets/rules.ts queueOf and finish). Pure.
 */
import type { Ticket, TimelineEvent } from '../tickets/model';
import { applyAction, queueOf, type Change, type RuleContext } from '../tickets/rules';

/** Kept under ROUTING#<customer> from the period's start to its end. */
export interface DedicatedRouting {
  orderId: string;
  period: number;
  engineerId: string;
  /** The order's point of contact, told of the period's escalations and resolutions. */
  contact?: string;
  /** The period's end: a routing found after it (its end step not yet run) no longer applies. */
  until: string;
}

export function routingApplies(routing: DedicatedRouting | undefined, now: number): routing is DedicatedRouting {
  return !!routing && Date.parse(routing.until) > now;
}

/** The new ticket assigned to the dedicated engineer and queued for them. */
export function routeToDedicatedEngineer(change: Change, routing: DedicatedRouting, ctx: RuleContext): Change {
  const dedicated = { orderId: routing.orderId, period: routing.period, engineerId: routing.engineerId, ...(routing.contact ? { contact: routing.contact } : {}) };
  const routed: Ticket = { ...change.ticket, dedicated };
  const queued: Ticket = { ...routed, queue: queueOf(routed, ctx.policy) };
  const assigned = applyAction(queued, { type: 'assign', assignee: routing.engineerId }, ctx, { kind: 'system', id: 'dedicated-period' });
  const flagged = { ...assigned.ticket, flags: [...new Set([...assigned.ticket.flags, 'dedicated-period'])] };
  const events: TimelineEvent[] = [...change.events, ...assigned.events];
  return { ticket: flagged, events };
}
