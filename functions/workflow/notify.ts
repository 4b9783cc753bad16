/**
 * Notify: sends the notices Act returned. Errors propagate on purpose: the state machine
 * retries this state with exponential back-off, so an email outage delays a notice and never
 * touches the ticket.
 *
 * SEAM: the email sender (functions/notifications/send.ts, `sendNotifications(rt, ticket,
 * notifications)`) is being written in parallel. Until it lands, a notice is only recorded on
 * the timeline as 'notification-sent'; when it does, call it in sendNotices() below.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Ticket, TimelineEvent } from '../../core/tickets/model';
import { getRuntime, logger, type Runtime } from '../shared/runtime';
import type { Notification } from './act';

const NotifyEvent = z.object({
  ticketId: z.string().min(1),
  notifications: z.array(
    z.object({
      type: z.string(),
      ticketId: z.string(),
      caseNumber: z.string(),
      eventId: z.string(),
      objective: z.string().optional(),
      notify: z.array(z.string()),
    }),
  ),
});

export async function handler(event: unknown): Promise<void> {
  const { ticketId, notifications } = NotifyEvent.parse(event);
  const rt = getRuntime();
  const ticket = await rt.store.getTicket(ticketId);
  if (!ticket || notifications.length === 0) return;
  await sendNotices(rt, ticket, notifications as Notification[]);
  await rt.store.addEvents(notifications.map((notification) => sentEvent(ticket, notification as Notification)));
}

/** SEAM for the email sender (see the file comment): for now the notices are only logged. */
async function sendNotices(_rt: Runtime, ticket: Ticket, notifications: Notification[]): Promise<void> {
  logger.info('notifications due', { ticketId: ticket.id, notifications });
}

function sentEvent(ticket: Ticket, notification: Notification): TimelineEvent {
  return {
    id: randomUUID(),
    ticketId: ticket.id,
    at: new Date().toISOString(),
    type: 'notification-sent',
    actor: { kind: 'system', id: 'notifier' },
    public: false,
    data: { about: notification.type, eventId: notification.eventId, notify: notification.notify, ...(notification.objective ? { objective: notification.objective } : {}) },
  };
}
