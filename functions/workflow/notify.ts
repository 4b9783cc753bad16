/**
 * Notify: sends the mails Act returned (functions/notifications/send.ts), each with the text of
 * the event it is about read from the timeline (a reply, a resolution, an escalation reason: they
 * do not travel through the state machine), and records one
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
import { sesMessageId } from '../../core/mail/threading';
import { NOTIFICATION_KINDS, type Notification } from '../../core/notifications/render';
import type { Ticket, TimelineEvent } from '../../core/tickets/model';
import { sendNotifications, type NotificationResult } from '../notifications/send';
import { getRuntime, type Runtime } from '../shared/runtime';
import { TICKET_LINKS } from '../store/dynamo-store';

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
      eventAt: z.string().optional(),
    }),
  ),
});

export async function handler(event: unknown): Promise<void> {
  const { ticketId, notifications } = NotifyEvent.parse(event);
  const rt = getRuntime();
  const ticket = await rt.store.getTicket(ticketId);
  if (!ticket || notifications.length === 0) return;
  const withBodies = await Promise.all(notifications.map((notification) => withEventBody(rt, notification as Notification)));
  const results = await sendNotifications(rt, ticket, withBodies);
  // A reply to any of these mails joins the ticket by its In-Reply-To (functions/email/inbound.ts).
  const region = process.env.AWS_REGION ?? 'us-east-1';
  await rt.store.linkTicket(
    ticket.id,
    results.flatMap((result) => result.sent.filter((sent) => sent.messageId).map((sent) => TICKET_LINKS.mail(sesMessageId(sent.messageId, region)))),
  );
  await rt.store.addEvents(results.map((result) => sentEvent(ticket, result)));
}

async function withEventBody(rt: Runtime, notification: Notification): Promise<Notification> {
  if (!notification.eventId || !notification.eventAt) return notification;
  const event = await rt.store.getEvent(notification.ticketId, notification.eventAt, notification.eventId);
  return event?.body ? { ...notification, body: event.body } : notification;
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
