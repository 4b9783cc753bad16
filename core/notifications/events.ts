/**
 * Which mails the timeline events of a change call for, so every caller (API, workflow) sends
 * the same ones. The SLA clock's events name whom to notify in `data.notify`; customer-facing
 * events go to the requester. Events that call for no mail (internal notes, field changes, a
 * status change a reply or resolution notice already tells, or one the customer made) map to nothing.
 *
 * A notification names its event (id and instant) instead of carrying the event's text: the
 * sender reads the body from the stored event (Notification.eventAt says why).
 */
import type { Ticket, TimelineEvent } from '../tickets/model';
import type { Notification, Recipient } from './render';

/** Status changes the customer hears about on their own; "resolved" has its resolution notice. */
const STATUS_UPDATES = new Set(['pending-customer', 'closed']);

export function notificationsForEvents(ticket: Ticket, events: readonly TimelineEvent[]): Notification[] {
  return events.flatMap((event) =>
    [forEvent(ticket, event), toRequesterToo(event)].flatMap((notification) =>
      notification ? [{ ticketId: ticket.id, caseNumber: ticket.caseNumber, eventId: event.id, eventAt: event.at, ...notification }] : [],
    ),
  );
}

/**
 * A customer's own escalation (public; the clock moving it to the next step is internal) is
 * confirmed to the requester too: who answers now, and by when.
 */
function toRequesterToo(event: TimelineEvent): Draft | undefined {
  if (event.type !== 'customer-escalation' || !event.public) return undefined;
  const step = typeof event.data?.step === 'string' ? event.data.step : '';
  return { kind: 'customer-escalation-received', recipients: ['requester'], step };
}

type Draft = Omit<Notification, 'ticketId' | 'caseNumber'>;

function forEvent(ticket: Ticket, event: TimelineEvent): Draft | undefined {
  const data = event.data ?? {};
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const notify = Array.isArray(data.notify) ? (data.notify.filter((r) => typeof r === 'string') as Recipient[]) : [];
  const due = text('due') ? { due: text('due')! } : {};
  switch (event.type) {
    case 'created':
      return { kind: 'acknowledgement', recipients: ['requester'] };
    case 'agent-reply':
      return { kind: 'agent-reply', recipients: ['requester'] };
    case 'status-changed':
      // The customer is not told what they just did themselves (closing their own case).
      return STATUS_UPDATES.has(text('to') ?? '') && event.actor.kind !== 'customer' ? { kind: 'status-update', recipients: ['requester'] } : undefined;
    case 'resolved':
      // During a support period its point of contact is told of every resolution too.
      return { kind: 'resolution', recipients: ticket.dedicated?.contact ? ['requester', 'period-contact'] : ['requester'] };
    case 'sla-warning':
      return { kind: 'sla-warning', recipients: notify, objective: text('objective') ?? '', ...due };
    case 'sla-breached': {
      const step = text('step');
      // A resolution breach names its tier: the case may have moved up in the same change.
      const tier = text('tier');
      return { kind: 'sla-breach', recipients: notify, objective: text('objective') ?? '', ...due, ...(step ? { step } : {}), ...(tier ? { tier } : {}) };
    }
    case 'escalated':
      // The ticket is already at its new tier: its team and their lead pick the case up.
      return { kind: 'escalation', recipients: ['team', 'team-lead'] };
    case 'escalation-blocked':
      return { kind: 'escalation-blocked', recipients: notify };
    case 'customer-escalation':
      return { kind: 'customer-escalation', recipients: notify, step: text('step') ?? '', ...due };
    case 'period-escalated':
      return { kind: 'period-escalation', recipients: notify };
    case 'period-routed':
      return { kind: 'period-routed', recipients: notify };
    case 'period-ended':
      // A resolved ticket is moved quietly: nobody has to pick it up.
      return notify.length ? { kind: 'period-handover', recipients: notify } : undefined;
    default:
      return undefined;
  }
}
