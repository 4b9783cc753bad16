/**
 * The ticket's outbox: the mails a change calls for (an agent's reply to the requester, a
 * resolution notice, a customer escalation to the management chain) are recorded on the ticket
 * in the same version-checked write as the change, and the ticket's workflow sends them (its
 * Plan sees a non-empty outbox and acts; Act takes them out in its own write and hands them to
 * Notify, which retries through an SES outage). The change and its mail cannot part: a crash
 * after the write still leaves the mail owed, and taking it out is written once.
 */
import type { Ticket } from '../tickets/model';
import type { Change } from '../tickets/rules';
import { notificationsForEvents } from './events';
import type { Notification } from './render';

/**
 * How many unsent notifications a ticket keeps. Only reached when no workflow runs for the ticket
 * (none deployed); then the oldest go first, since the newest say most about the case.
 */
export const OUTBOX_LIMIT = 50;

/** The change with the mails its events call for added to the ticket's outbox. */
export function queueNotifications(change: Change): Change {
  const queued = notificationsForEvents(change.ticket, change.events);
  if (queued.length === 0) return change;
  const outbox = [...(change.ticket.outbox ?? []), ...queued].slice(-OUTBOX_LIMIT);
  return { ...change, ticket: { ...change.ticket, outbox } };
}

/** The ticket with its outbox emptied, and what was in it. */
export function takeOutbox(ticket: Ticket): { ticket: Ticket; notifications: Notification[] } {
  if (!ticket.outbox?.length) return { ticket, notifications: [] };
  const { outbox, ...rest } = ticket;
  return { ticket: rest, notifications: outbox };
}
