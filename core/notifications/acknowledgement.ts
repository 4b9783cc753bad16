/**
 * The intake acknowledgement ("we received your request, your case number is …"). It is sent by
 * the ticket's workflow (its first Step sees it is owed, marks it and queues the mail in the
 * ticket's outbox), not by the HTTP handler: intake must not wait on, or fail with, SES, and the
 * workflow already retries mail with back-off.
 *
 * The ticket records that it was taken on (`intakeAcknowledgedAt`) in the same version-checked write
 * as the clock's other changes, so a retried or re-driven execution does not acknowledge twice.
 */
import type { Ticket } from '../tickets/model';
import type { Notification } from './render';

/**
 * Owed while not recorded and the case is still being worked: a case resolved or closed before
 * its workflow got to it (or a ticket from before acknowledgements existed that is already done)
 * gets its resolution notice instead.
 */
export function acknowledgementDue(ticket: Ticket): boolean {
  return !ticket.intakeAcknowledgedAt && ticket.status !== 'resolved' && ticket.status !== 'closed';
}

/** The ticket with the acknowledgement recorded, and the mail to send; nothing when none is owed. */
export function acknowledge(ticket: Ticket, now: number): { ticket: Ticket; notifications: Notification[] } {
  if (!acknowledgementDue(ticket)) return { ticket, notifications: [] };
  return {
    ticket: { ...ticket, intakeAcknowledgedAt: new Date(now).toISOString() },
    notifications: [{ kind: 'acknowledgement', ticketId: ticket.id, caseNumber: ticket.caseNumber, recipients: ['requester'] }],
  };
}
