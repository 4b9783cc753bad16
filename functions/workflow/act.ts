/**
 * Act: the instant of an SLA event came. Applies every event due now through core
 * (applySlaEvent re-checks each against the ticket, so a stale timer or a retry changes
 * nothing), in one version-checked write, and returns what must be notified.
 */
import { z } from 'zod';
import { pendingSlaEvents } from '../../core/sla/schedule';
import { applySlaEvent } from '../../core/tickets/breaches';
import type { Ticket, TimelineEvent } from '../../core/tickets/model';
import type { Change } from '../../core/tickets/rules';
import { getRuntime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';

const ActEvent = z.object({ ticketId: z.string().min(1) });

/** One notice to send about something the clock did; `notify` names roles, resolved to addresses by the sender. */
export interface Notification {
  type: TimelineEvent['type'];
  ticketId: string;
  caseNumber: string;
  /** The timeline event it is about. */
  eventId: string;
  objective?: string;
  notify: string[];
}

export class TicketGoneError extends Error {
  override name = 'TicketGoneError';
}

export async function handler(event: unknown): Promise<{ notifications: Notification[] }> {
  const { ticketId } = ActEvent.parse(event);
  const rt = getRuntime();
  try {
    const { change } = await updateTicketWithRetry(rt, applyDueEvents, {
      skipUnchanged: true,
      read: async () => (await rt.store.getTicket(ticketId)) ?? Promise.reject(new TicketGoneError(ticketId)),
    });
    return { notifications: notificationsFor(change.ticket, change.events) };
  } catch (error) {
    // A ticket that no longer exists has nothing to act on; Plan ends the execution.
    if (error instanceof TicketGoneError) return { notifications: [] };
    throw error;
  }
}

/** Every event due now, applied one after the other (a breach may start the next management step). */
export function applyDueEvents(ticket: Ticket, ctx: Parameters<typeof applySlaEvent>[2]): Change {
  let current: Change = { ticket, events: [] };
  for (const due of pendingSlaEvents(ticket, ctx, ctx.now).filter((event) => event.at <= ctx.now)) {
    const next = applySlaEvent(current.ticket, due, ctx);
    current = { ticket: next.ticket, events: [...current.events, ...next.events] };
  }
  return current;
}

/** The clock's timeline events that name whom to notify (warnings, breaches, blocked or management escalations). */
export function notificationsFor(ticket: Ticket, events: TimelineEvent[]): Notification[] {
  return events.flatMap((event) => {
    const notify = event.data?.notify;
    if (!Array.isArray(notify) || notify.length === 0) return [];
    const objective = event.data?.objective;
    return [
      {
        type: event.type,
        ticketId: ticket.id,
        caseNumber: ticket.caseNumber,
        eventId: event.id,
        ...(typeof objective === 'string' ? { objective } : {}),
        notify: notify.map(String),
      },
    ];
  });
}
