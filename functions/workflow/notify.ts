/**
 * Notify: sends the mails Act returned (functions/notifications/send.ts) and records one
 * 'notification-sent' event per notification on the ticket's timeline: what kind, whom it
 * reached with SES's MessageId (a reply's In-Reply-To points back to it), and who was rejected
 * or skipped.
 *
 * Errors propagate on purpose: a SesSendError (throttling, an outage) fails the task and the
 * state machine retries this state with exponential back-off (its Retry matches States.ALL), so
 * an email outage delays a notice and never touches the ticket. A retry sends the step's
 * notifications again from the start (at-least-once), and nothing is recorded until all went.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NOTIFICATION_KINDS, type Notification } from '../../core/notifications/render';
import type { Ticket, TimelineEvent } from '../../core/tickets/model';
import { sendNotifications, type NotificationResult } from '../notifications/send';
import { getRuntime } from '../shared/runtime';

const NotifyEvent = z.object({
  ticketId: z.string().min(1),
  notifications: z.array(
    z.object({
      kind: z.enum(NOTIFICATION_KINDS),
      ticketId: z.string(),
      caseNumber: z.string(),
      recipients: z.array(z.string()),
      body: z.string().optional(),
      due: z.string().optional(),
      objective: z.string().optional(),
      step: z.string().optional(),
      eventId: z.string().optional(),
    }),
  ),
});

export async function handler(event: unknown): Promise<void> {
  const { ticketId, notifications } = NotifyEvent.parse(event);
  const rt = getRuntime();
  const ticket = await rt.store.getTicket(ticketId);
  if (!ticket || notifications.length === 0) return;
  const results = await sendNotifications(rt, ticket, notifications as Notification[]);
  await rt.store.addEvents(results.map((result) => sentEvent(ticket, result)));
}

function sentEvent(ticket: Ticket, result: NotificationResult): TimelineEvent {
  return {
    id: randomUUID(),
    ticketId: ticket.id,
    at: new Date().toISOString(),
    type: 'notification-sent',
    actor: { kind: 'system', id: 'notifier' },
    public: false,
    data: {
      kind: result.kind,
      ...(result.eventId ? { eventId: result.eventId } : {}),
      subject: result.subject,
      to: result.sent.map((sent) => sent.to),
      sent: result.sent,
      rejected: result.rejected,
      skipped: result.skipped,
    },
  };
}
