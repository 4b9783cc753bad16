/**
 * The ticket's outbox: every mail the ticket owes waits here until it went out. A change that
 * calls for mail (an agent's reply to the requester, a resolution notice, a customer escalation to
 * the management chain) queues it in the same version-checked write as the change; so does the
 * workflow's Step for the acknowledgement and for the warnings and breaches it applies. Step
 * sends the outbox and takes out what SES accepted in its next write; what SES did not accept
 * stays queued and is tried again. The change and its mail cannot part: a crash after the write
 * still leaves the mail owed.
 */
import { LIMITS } from '../limits';
import type { Ticket } from '../tickets/model';
import type { Change } from '../tickets/rules';
import { notificationsForEvents } from './events';
import type { Notification } from './render';

/**
 * How many unsent notifications a ticket keeps. Only reached when no workflow runs for the ticket
 * (none deployed) or mail has failed for long; then the oldest go first, since the newest say
 * most about the case. A notification carries no user text (core/notifications/events.ts), so a
 * full outbox is a few tens of KB of the ticket item's budget (test/limits.test.ts).
 */
export const OUTBOX_LIMIT = LIMITS.outbox;

/** The change with the mails its events call for (after `first`, e.g. the acknowledgement) added to the ticket's outbox. */
export function queueNotifications(change: Change, first: readonly Notification[] = []): Change {
  // User text stays on the events (the sender reads it back): the ticket item keeps its budget.
  const queued = [...first, ...notificationsForEvents(change.ticket, change.events)].map(withoutBody);
  if (queued.length === 0) return change;
  const outbox = [...(change.ticket.outbox ?? []), ...queued].slice(-OUTBOX_LIMIT);
  return { ...change, ticket: { ...change.ticket, outbox } };
}

function withoutBody(notification: Notification): Notification {
  if (notification.body === undefined) return notification;
  const { body: _body, ...rest } = notification;
  return rest;
}

/**
 * What makes two queued notifications the same one. Not the JSON text: a map read back from
 * DynamoDB need not keep its key order.
 */
function identity(notification: Notification): string {
  const { kind, eventId, due, objective, step, recipients } = notification;
  return JSON.stringify([kind, eventId ?? '', due ?? '', objective ?? '', step ?? '', [...recipients].sort()]);
}

/** The ticket without the notifications that went out (one queued entry each); what was queued meanwhile stays. */
export function removeFromOutbox(ticket: Ticket, sent: readonly Notification[]): Ticket {
  if (!ticket.outbox?.length || sent.length === 0) return ticket;
  const pending = sent.map(identity);
  const outbox = ticket.outbox.filter((queued) => {
    const at = pending.indexOf(identity(queued));
    if (at < 0) return true;
    pending.splice(at, 1);
    return false;
  });
  const rest: Ticket = { ...ticket };
  delete rest.outbox;
  return outbox.length ? { ...rest, outbox } : rest;
}
